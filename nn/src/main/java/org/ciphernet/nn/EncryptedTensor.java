package org.ciphernet.nn;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.ciphernet.ckks.Ciphertext;
import org.ciphernet.ckks.CkksException;
import org.ciphernet.ckks.KeyIdentifier;
import org.ciphernet.ckks.Serialization;

/**
 * An encrypted tensor as it travels between client and server: one ciphertext holding the whole
 * (laid-out) tensor in single-image mode, or one ciphertext per tensor element, one image per slot,
 * in batched mode. It says what it is: a {@link Kind#QUERY} (the client's encrypted input) or an
 * {@link Kind#ANSWER} (the server's encrypted output), the fingerprint of the plan it was made for
 * ({@link ClientSpec#fingerprint()}) and the {@link KeyIdentifier} of the key pair it is encrypted
 * under. The server refuses anything but a query for its plan and its evaluation keys; the client
 * refuses to decrypt anything but an answer for its plan and its key.
 *
 * <p>Wire format (version 2; version 1 had no metadata and no integrity check and is refused):
 * {@code "CNET"}, version, kind (1 byte), plan fingerprint (8), key identifier (16), images (4),
 * ciphertext count (4), each ciphertext as a length (4) and its {@link Serialization} bytes, and a
 * CRC32C over all of it, checked before anything is parsed.
 *
 * @param ciphertexts the ciphertexts (at least one)
 * @param images how many images it holds (1 in single-image mode; at most {@link #MAX_IMAGES})
 * @param kind query or answer
 * @param planFingerprint the fingerprint of the plan it belongs to
 * @param keyId the key pair it is encrypted under
 */
public record EncryptedTensor(List<Ciphertext> ciphertexts, int images, Kind kind, long planFingerprint, KeyIdentifier keyId) {
    private static final int MAGIC = 0x43_4e_45_54; // "CNET"
    private static final int VERSION = 2;
    private static final String NAME = "encrypted tensor";
    /** The most images any tensor can hold: the slot count of the largest ring (N = 2^17). */
    public static final int MAX_IMAGES = 1 << 16;

    /** What a tensor is. */
    public enum Kind {
        /** The client's encrypted input, to be evaluated by the server. */
        QUERY,
        /** The server's encrypted output, to be decrypted by the client. */
        ANSWER
    }

    /** Copies the list and checks the counts. */
    public EncryptedTensor {
        ciphertexts = List.copyOf(ciphertexts);
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(keyId, "keyId");
        if (ciphertexts.isEmpty() || images < 1 || images > MAX_IMAGES) {
            throw new IllegalArgumentException("an encrypted tensor needs at least one ciphertext and 1 to " + MAX_IMAGES
                    + " images, got " + ciphertexts.size() + " ciphertexts and " + images + " images");
        }
    }

    /** The same metadata with other ciphertexts and kind (the server's answer to a query). */
    public EncryptedTensor with(List<Ciphertext> other, Kind newKind) {
        return new EncryptedTensor(other, images, newKind, planFingerprint, keyId);
    }

    /** The same tensor claiming another image count (for tests of the count checks). */
    EncryptedTensor withImages(int count) {
        return new EncryptedTensor(ciphertexts, count, kind, planFingerprint, keyId);
    }

    /** The plan fingerprint as 16 hex digits. */
    public String planFingerprintHex() {
        return HexFormat.of().toHexDigits(planFingerprint);
    }

    /** The tensor as bytes (ciphertexts in the format of {@link Serialization}). */
    public byte[] toBytes(Serialization ser) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeByte(kind.ordinal());
            out.writeLong(planFingerprint);
            out.write(keyId.bytes());
            out.writeInt(images);
            out.writeInt(ciphertexts.size());
            for (Ciphertext c : ciphertexts) {
                byte[] b = ser.write(c);
                out.writeInt(b.length);
                out.write(b);
            }
            out.flush();
            return WireFormat.seal(bytes.toByteArray(), bytes.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads a tensor written by {@link #toBytes}. The CRC32C is checked first; every count is
     * bounded by the bytes present before anything is allocated.
     *
     * @throws CkksException.SerializationException on corrupted, truncated or foreign bytes (naming
     *     the encrypted tensor and the problem)
     */
    public static EncryptedTensor fromBytes(byte[] bytes, Serialization ser) {
        if (bytes == null) {
            throw new CkksException.SerializationException("no bytes for the " + NAME);
        }
        return fromBytes(ByteBuffer.wrap(bytes), ser);
    }

    /**
     * {@link #fromBytes(byte[], Serialization)} for the bytes between {@code bytes}' position and
     * limit, on the heap or off it; they are parsed in place and the position is left unchanged.
     */
    public static EncryptedTensor fromBytes(ByteBuffer bytes, Serialization ser) {
        Objects.requireNonNull(bytes, "bytes");
        ByteBuffer b = WireFormat.open(bytes, MAGIC, VERSION, NAME,
                "written before tensors carried their kind, plan and key identifier; encrypt again");
        WireFormat.need(b, 1 + 8 + KeyIdentifier.BYTES + 8, NAME + " header");
        int k = b.get();
        if (k < 0 || k >= Kind.values().length) {
            throw new CkksException.SerializationException("corrupted " + NAME + " header: kind " + k);
        }
        long plan = b.getLong();
        byte[] id = new byte[KeyIdentifier.BYTES];
        b.get(id);
        int images = b.getInt();
        int count = b.getInt();
        // a ciphertext takes a 4-byte length and at least one byte
        if (images < 1 || images > MAX_IMAGES || count < 1 || count > b.remaining() / 5) {
            throw new CkksException.SerializationException("corrupted " + NAME + " header: " + count + " ciphertexts, " + images
                    + " images (at most " + MAX_IMAGES + " images and " + b.remaining() / 5 + " ciphertexts fit)");
        }
        List<Ciphertext> cts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            cts.add(ser.readCiphertext(WireFormat.blockView(b, NAME + " ciphertext " + i)));
        }
        if (b.hasRemaining()) {
            throw new CkksException.SerializationException(b.remaining() + " trailing bytes after the " + NAME);
        }
        return new EncryptedTensor(cts, images, Kind.values()[k], plan, new KeyIdentifier(id));
    }
}
