package com.example.newuser;

import io.linuxaio.LinuxAio;
import io.linuxaio.netty.AioFileHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Serves the file named by its argument with {@link OneFileServer}, fetches it back, and prints how
 * many bytes came and which modules the program and the library ran in; exits 1 if the bytes differ.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        byte[] expected = Files.readAllBytes(file);
        byte[] served;
        try (OneFileServer server = OneFileServer.start(file.toString())) {
            served = OneFileServer.fetch(server.port());
        }
        if (!Arrays.equals(expected, served)) {
            System.err.println("served " + served.length + " bytes that are not the file's " + expected.length);
            System.exit(1);
        }
        System.out.println("served " + served.length + " bytes; " + Main.class.getModule() + ", "
                + LinuxAio.class.getModule() + ", " + AioFileHandler.class.getModule());
    }
}
