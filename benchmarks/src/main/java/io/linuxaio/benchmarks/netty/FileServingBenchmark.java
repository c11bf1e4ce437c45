package io.linuxaio.benchmarks.netty;

import io.linuxaio.LinuxAio;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of sending a cached 64 KiB and a cached 1 MiB file over loopback through
 * {@code AioFileHandler}, against Netty's {@code ChunkedWriteHandler} + {@code ChunkedNioFile} and
 * {@code DefaultFileRegion} (sendfile), in one run with the same number of event loops each (issue
 * 3 § Benchmark). Each server answers a one-byte request with the whole file; a client in this JVM
 * keeps {@code --connections} connections busy for {@code --seconds} per cell after
 * {@code --warmup} seconds, and checks every byte. Cells are interleaved over {@code --rounds}
 * rounds so that other load on the machine falls on all servers alike, and the table gives each
 * cell's median.
 *
 * <p>Usage: {@code java -cp benchmarks/target/netty-bench.jar
 * io.linuxaio.benchmarks.netty.FileServingBenchmark [--connections 16] [--seconds 3]
 * [--warmup 1] [--rounds 3] [--event-loops 2]}.
 */
public final class FileServingBenchmark {
    private FileServingBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, Integer> options = options(args);
        int connections = options.get("--connections");
        long measureNanos = TimeUnit.SECONDS.toNanos(options.get("--seconds"));
        long warmupNanos = TimeUnit.SECONDS.toNanos(options.get("--warmup"));
        int rounds = options.get("--rounds");
        int eventLoops = options.get("--event-loops");

        System.out.printf(
                "nproc %d, %s, JDK %s; %d event loops per server, %d connections, %d round(s) of %d s"
                        + " (+%d s warm-up) per cell, %d KiB chunks%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"),
                System.getProperty("java.version"), eventLoops, connections, rounds,
                options.get("--seconds"), options.get("--warmup"), FileServer.CHUNK_SIZE / 1024);
        System.out.println("load average before: " + loadAverage());

        Path dir = Files.createTempDirectory("file-serving-bench");
        try {
            List<ServedFile> files =
                    List.of(
                            ServedFile.write(dir, 'S', "64KiB", 64 * 1024, 1),
                            ServedFile.write(dir, 'L', "1MiB", 1024 * 1024, 2));
            run(files, eventLoops, connections, warmupNanos, measureNanos, rounds);
        } finally {
            try (var paths = Files.list(dir)) {
                for (Path path : (Iterable<Path>) paths::iterator) {
                    Files.delete(path);
                }
            }
            Files.delete(dir);
        }
        System.out.println("load average after: " + loadAverage());
    }

    private static void run(
            List<ServedFile> files, int eventLoops, int connections, long warmupNanos,
            long measureNanos, int rounds) throws Exception {
        LinuxAio aio = new LinuxAio();
        List<FileServer> servers = new ArrayList<>();
        try {
            for (FileServer.Kind kind : FileServer.Kind.values()) {
                servers.add(FileServer.start(kind, eventLoops, aio, files));
            }
            // One untimed pass so that every server's code is compiled before any cell is measured.
            for (FileServer server : servers) {
                for (ServedFile file : files) {
                    LoadClient.run(server.port(), file, connections, 0, warmupNanos);
                }
            }
            Map<String, List<LoadClient.Measurement>> cells = new LinkedHashMap<>();
            for (int round = 1; round <= rounds; round++) {
                for (ServedFile file : files) {
                    for (FileServer server : servers) {
                        LoadClient.Measurement m =
                                LoadClient.run(server.port(), file, connections, warmupNanos, measureNanos);
                        cells.computeIfAbsent(cell(server.kind(), file), k -> new ArrayList<>()).add(m);
                        System.out.printf(
                                Locale.ROOT, "round %d  %-17s %-5s %9.1f MB/s %9.0f req/s%n", round,
                                server.kind().label, file.label(), m.megabytesPerSecond(), m.requestsPerSecond());
                    }
                }
            }
            printTable(files, cells);
        } finally {
            for (FileServer server : servers) {
                server.close(); // closes its AioEventLoops before the engine below
            }
            aio.close();
        }
    }

    private static void printTable(List<ServedFile> files, Map<String, List<LoadClient.Measurement>> cells) {
        System.out.println();
        System.out.println("| server | file | MB/s (median) | requests/s (median) | MB/s vs ChunkedNioFile |");
        System.out.println("|---|---|---:|---:|---:|");
        for (ServedFile file : files) {
            double baseline = median(cells.get(cell(FileServer.Kind.CHUNKED_NIO_FILE, file)), true);
            for (FileServer.Kind kind : FileServer.Kind.values()) {
                List<LoadClient.Measurement> runs = cells.get(cell(kind, file));
                double mbps = median(runs, true);
                System.out.printf(
                        Locale.ROOT, "| %s | %s | %.1f | %.0f | %.2f |%n", kind.label, file.label(), mbps,
                        median(runs, false), mbps / baseline);
            }
        }
    }

    private static String cell(FileServer.Kind kind, ServedFile file) {
        return kind + "/" + file.label();
    }

    private static double median(List<LoadClient.Measurement> runs, boolean megabytes) {
        double[] values =
                runs.stream()
                        .mapToDouble(m -> megabytes ? m.megabytesPerSecond() : m.requestsPerSecond())
                        .sorted()
                        .toArray();
        int mid = values.length / 2;
        return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static Map<String, Integer> options(String[] args) {
        Map<String, Integer> options = new LinkedHashMap<>();
        options.put("--connections", 16);
        options.put("--seconds", 3);
        options.put("--warmup", 1);
        options.put("--rounds", 3);
        options.put("--event-loops", 2);
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("options come in pairs: " + Arrays.toString(args));
        }
        for (int i = 0; i < args.length; i += 2) {
            if (!options.containsKey(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; known: " + options.keySet());
            }
            int value = Integer.parseInt(args[i + 1]);
            if (value < 1) {
                throw new IllegalArgumentException(args[i] + " must be at least 1: " + value);
            }
            options.put(args[i], value);
        }
        return options;
    }
}
