package io.linuxaio.examples;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The default root: the demo site kept in {@code examples/site}, which the build packs into the
 * jar, unpacked into a temporary directory together with a larger file made here. Unpacking makes
 * the default independent of the current directory and of where the jar was copied.
 */
final class DemoSite implements AutoCloseable {
    static final String RESOURCE_DIR = "/demo-site";
    static final String LARGE_FILE = "large.bin";
    static final int LARGE_FILE_BYTES = 16 << 20;
    /** The URL {@code index.html} is written with, which {@link #showUrl} replaces by the server's own. */
    static final String WRITTEN_URL = "http://127.0.0.1:8080/";

    private final Path root;

    private DemoSite(Path root) {
        this.root = root;
    }

    /** Unpacks the site; call {@link #close()} to remove it again. */
    static DemoSite unpack() throws IOException {
        Path root = Files.createTempDirectory("linux-aio-demo-site-");
        DemoSite site = new DemoSite(root);
        try {
            copyResources(root);
            writeLargeFile(root.resolve(LARGE_FILE));
        } catch (IOException | RuntimeException e) {
            site.close();
            throw e;
        }
        return site;
    }

    Path root() {
        return root;
    }

    /**
     * Writes the server's real URL into the demo page's hints in place of {@value #WRITTEN_URL},
     * which is right only for the default port and address. The page is replaced whole (written
     * beside it, then renamed over it), so a client reading it meanwhile gets one or the other.
     */
    void showUrl(URI url) throws IOException {
        Path index = root.resolve("index.html");
        String page = Files.readString(index);
        if (!page.contains(WRITTEN_URL)) {
            throw new IOException("the demo page has no " + WRITTEN_URL + " to replace");
        }
        Path next = root.resolve(".index.html.new");
        Files.writeString(next, page.replace(WRITTEN_URL, url.toString()));
        Files.move(next, index, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Deletes the unpacked copy; what cannot be deleted is left for the system's temp cleaner. */
    @Override
    public void close() {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            System.err.println("could not remove the demo site copy " + root + ": " + e.getMessage());
        }
    }

    private static void copyResources(Path target) throws IOException {
        URL index = DemoSite.class.getResource(RESOURCE_DIR + "/index.html");
        if (index == null) {
            throw new IOException("the demo site is missing from the class path (" + RESOURCE_DIR + ")");
        }
        URI uri;
        try {
            uri = index.toURI();
        } catch (URISyntaxException e) {
            throw new IOException("bad demo site location " + index, e);
        }
        if (uri.getScheme().equals("jar")) {
            try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                copyTree(jar.getPath(RESOURCE_DIR), target);
            }
        } else {
            copyTree(Path.of(uri).getParent(), target);
        }
    }

    private static void copyTree(Path source, Path target) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(source)) {
            paths = walk.toList();
        }
        for (Path path : paths) {
            // toString, since the source may live in the jar's file system and the target not.
            Path to = target.resolve(source.relativize(path).toString());
            if (Files.isDirectory(path)) {
                Files.createDirectories(to);
            } else {
                Files.copy(path, to);
            }
        }
    }

    /** Pseudo-random, so that a wrong byte anywhere in a download shows; the same every time. */
    private static void writeLargeFile(Path file) throws IOException {
        Random random = new Random(42);
        byte[] block = new byte[64 << 10];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int written = 0; written < LARGE_FILE_BYTES; written += block.length) {
                random.nextBytes(block);
                out.write(block);
            }
        }
    }
}
