package org.ciphernet.nn;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.ciphernet.ckks.CkksException;

/**
 * The envelope shared by the nn wire formats ({@link EncryptedTensor}, {@link EvaluationKeys}):
 * a 4-byte magic number, a 4-byte format version, the body, and a CRC32C over everything before
 * it. {@link #open} checks the magic, the version and the CRC before anything is parsed, so a
 * corrupted transfer or file is refused as a whole with a message naming the object, never read
 * into a silently wrong value. (CRC32C detects every burst of up to 32 flipped bits and any other
 * random corruption with probability 1 − 2^−32; it is not a MAC against a deliberate attacker.)
 */
final class WireFormat {
    /** Bytes of magic number and version. */
    static final int PREFIX = 8;
    /** Bytes of the trailing CRC32C. */
    static final int TRAILER = 4;

    private WireFormat() {
    }

    /** Appends the CRC32C of {@code body[0, length)} and returns the complete bytes. */
    static byte[] seal(byte[] body, int length) {
        byte[] out = java.util.Arrays.copyOf(body, length + TRAILER);
        ByteBuffer.wrap(out, length, TRAILER).putInt(crc(out, length));
        return out;
    }

    static int crc(byte[] bytes, int length) {
        CRC32C c = new CRC32C();
        c.update(bytes, 0, length);
        return (int) c.getValue();
    }

    /**
     * Checks the magic number, the version and the CRC32C, and returns a buffer over the body
     * (after the version, before the CRC).
     *
     * @param what the object's name in messages ("encrypted tensor")
     * @param oldVersions a message for each version below {@code version} that is no longer read
     * @throws CkksException.SerializationException on any mismatch
     */
    static ByteBuffer open(byte[] bytes, int magic, int version, String what, String oldVersions) {
        if (bytes == null) {
            throw new CkksException.SerializationException("no bytes for the " + what);
        }
        return open(ByteBuffer.wrap(bytes), magic, version, what, oldVersions);
    }

    /**
     * {@link #open(byte[], int, int, String, String)} for the bytes between {@code bytes}' position
     * and limit, on the heap or memory-mapped; the returned buffer shares them (no copy) and
     * {@code bytes}' position is left unchanged.
     */
    static ByteBuffer open(ByteBuffer bytes, int magic, int version, String what, String oldVersions) {
        ByteBuffer b = bytes.slice(); // big-endian, indexed from 0
        int length = b.remaining();
        if (length < PREFIX + TRAILER) {
            throw new CkksException.SerializationException("truncated " + what + ": " + length + " bytes");
        }
        if (b.getInt() != magic) {
            throw new CkksException.SerializationException("not " + ("aeiou".indexOf(what.charAt(0)) >= 0 ? "an " : "a ") + what
                    + " (bad magic number)");
        }
        int v = b.getInt();
        if (v != version) {
            throw new CkksException.SerializationException(v > 0 && v < version
                    ? what + " format version " + v + " is no longer read (" + oldVersions + "); this library writes and reads version " + version
                    : "unknown " + what + " format version " + v + " (this library reads version " + version + ")");
        }
        int stored = b.getInt(length - TRAILER);
        CRC32C c = new CRC32C();
        c.update(b.duplicate().position(0).limit(length - TRAILER));
        int computed = (int) c.getValue();
        if (stored != computed) {
            throw new CkksException.SerializationException(String.format("corrupted %s: CRC32C mismatch (stored %08x, computed %08x)",
                    what, stored, computed));
        }
        return b.slice(PREFIX, length - PREFIX - TRAILER);
    }

    /** The version field of an envelope (−1 if too short to have one); for formats that read several versions. */
    static int version(byte[] bytes) {
        return bytes == null ? -1 : version(ByteBuffer.wrap(bytes));
    }

    /** {@link #version(byte[])} of the bytes from {@code bytes}' position. */
    static int version(ByteBuffer bytes) {
        return bytes.remaining() < PREFIX ? -1 : bytes.slice().getInt(4); // a slice is big-endian
    }

    /**
     * A length-prefixed block of at most what remains, as a view of {@code b}'s bytes (no copy);
     * {@code b} moves past it.
     */
    static ByteBuffer blockView(ByteBuffer b, String what) {
        need(b, 4, what);
        int len = b.getInt();
        if (len < 1 || len > b.remaining()) {
            throw new CkksException.SerializationException(what + " claims " + len + " bytes, " + b.remaining() + " remain");
        }
        ByteBuffer view = b.slice(b.position(), len);
        b.position(b.position() + len);
        return view;
    }

    /** Reads a length-prefixed block of at most what remains. */
    static byte[] block(ByteBuffer b, String what) {
        need(b, 4, what);
        int len = b.getInt();
        if (len < 1 || len > b.remaining()) {
            throw new CkksException.SerializationException(what + " claims " + len + " bytes, " + b.remaining() + " remain");
        }
        byte[] out = new byte[len];
        b.get(out);
        return out;
    }

    /** Throws unless {@code n} bytes remain. */
    static void need(ByteBuffer b, int n, String what) {
        if (b.remaining() < n) {
            throw new CkksException.SerializationException("truncated " + what + ": " + n + " bytes needed, " + b.remaining() + " remain");
        }
    }
}
