package io.linuxaio;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Native memory that one thread passes to the kernel: a bounce buffer for I/O on Java arrays, and
 * a small block for the structs system calls read or fill ({@code struct statx},
 * {@code struct open_how}, {@code struct iovec}). A worker owns one and frees it when it exits; a
 * thread that submits requests gets one of its own for the calls the engine tries on it first
 * ({@link #ofThisThread()}). Never shared between threads.
 */
final class Scratch implements AutoCloseable {
    /** Bounce buffer size: large enough that a big read is a few system calls. */
    static final int BOUNCE_BYTES = 256 * 1024;
    /** Fits {@code struct statx} (256 bytes), the largest struct passed. */
    static final int STRUCT_BYTES = 256;
    /** PATH_MAX, the longest path the kernel takes, its terminating NUL included. */
    static final int PATH_BYTES = 4096;

    private static final ThreadLocal<Scratch> SUBMITTERS = ThreadLocal.withInitial(Scratch::new);

    private Memory bounce;
    private ByteBuffer bounceBuffer;
    private Memory struct;
    private ByteBuffer fields;
    private Memory path;
    private ByteBuffer pathBuffer;

    /** The calling thread's own scratch, for work done on a submitting thread; freed with the thread's memory. */
    static Scratch ofThisThread() {
        return SUBMITTERS.get();
    }

    /** {@value #BOUNCE_BYTES} bytes for copying to and from Java arrays, made on first use. */
    Memory bounce() {
        if (bounce == null) {
            bounce = new Memory(BOUNCE_BYTES);
            bounceBuffer = bounce.getByteBuffer(0, BOUNCE_BYTES);
        }
        return bounce;
    }

    /** The bounce buffer's bytes as a buffer, read and written in Java without a JNI call a byte. */
    ByteBuffer bounceBuffer() {
        bounce();
        return bounceBuffer;
    }

    /** The address of {@value #STRUCT_BYTES} bytes for one struct. */
    long struct() {
        fields();
        return Pointer.nativeValue(struct);
    }

    /**
     * The same {@value #STRUCT_BYTES} bytes as a buffer in the machine's byte order: fields are read
     * and written in Java, where {@code Memory.getLong} and the like cost a JNI call each, which
     * for the twenty fields of a {@code Stat} came to 5–15 % of a stat's time on a worker.
     */
    ByteBuffer fields() {
        if (struct == null) {
            struct = new Memory(STRUCT_BYTES);
            fields = struct.getByteBuffer(0, STRUCT_BYTES).order(ByteOrder.nativeOrder());
        }
        return fields;
    }

    /**
     * The address of a copy of {@code cString} (a NUL-terminated path) in this scratch, for a call
     * that takes the path as an address; 0 if it is longer than PATH_MAX, which the caller passes as
     * an array instead (the kernel refuses it). Passing an array costs JNA a copy into memory it
     * allocates and frees on every call; this is a copy in Java into memory kept.
     */
    long path(byte[] cString) {
        if (cString.length > PATH_BYTES) {
            return 0;
        }
        if (path == null) {
            path = new Memory(PATH_BYTES);
            pathBuffer = path.getByteBuffer(0, PATH_BYTES);
        }
        pathBuffer.put(0, cString);
        return Pointer.nativeValue(path);
    }

    @Override
    public void close() {
        if (bounce != null) {
            bounce.close();
            bounce = null;
            bounceBuffer = null;
        }
        if (struct != null) {
            struct.close();
            struct = null;
            fields = null;
        }
        if (path != null) {
            path.close();
            path = null;
            pathBuffer = null;
        }
    }
}
