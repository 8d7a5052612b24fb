package org.ciphernet.nn;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.ciphernet.ckks.Ciphertext;
import org.ciphernet.ckks.CkksException;
import org.ciphernet.ckks.Serialization;

/**
 * An encrypted tensor as it travels between client and server: one ciphertext holding the whole
 * (laid-out) tensor in single-image mode, or one ciphertext per tensor element, one image per slot,
 * in batched mode.
 *
 * @param images how many images it holds (1 in single-image mode)
 */
public record EncryptedTensor(List<Ciphertext> ciphertexts, int images) {
    private static final int MAGIC = 0x43_4e_45_54; // "CNET"

    /** Copies the list. */
    public EncryptedTensor {
        ciphertexts = List.copyOf(ciphertexts);
        if (ciphertexts.isEmpty() || images < 1) {
            throw new IllegalArgumentException("an encrypted tensor needs at least one ciphertext and one image");
        }
    }

    /** The tensor as bytes (ciphertexts in the format of {@link Serialization}). */
    public byte[] toBytes(Serialization ser) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(images);
            out.writeInt(ciphertexts.size());
            for (Ciphertext c : ciphertexts) {
                byte[] b = ser.write(c);
                out.writeInt(b.length);
                out.write(b);
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads a tensor written by {@link #toBytes}.
     *
     * @throws CkksException.SerializationException on corrupted or truncated bytes
     */
    public static EncryptedTensor fromBytes(byte[] bytes, Serialization ser) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            if (in.readInt() != MAGIC) {
                throw new CkksException.SerializationException("not an encrypted tensor (bad magic number)");
            }
            int images = in.readInt();
            int count = in.readInt();
            if (images < 1 || count < 1 || count > bytes.length / 16) {
                throw new CkksException.SerializationException("corrupted encrypted tensor header: " + count + " ciphertexts, " + images + " images");
            }
            List<Ciphertext> cts = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int len = in.readInt();
                if (len < 1 || len > in.available()) {
                    throw new CkksException.SerializationException("ciphertext " + i + " claims " + len + " bytes, " + in.available() + " remain");
                }
                byte[] b = new byte[len];
                in.readFully(b);
                cts.add(ser.readCiphertext(b));
            }
            if (in.available() != 0) {
                throw new CkksException.SerializationException(in.available() + " trailing bytes after the encrypted tensor");
            }
            return new EncryptedTensor(cts, images);
        } catch (IOException e) {
            throw new CkksException.SerializationException("truncated encrypted tensor: " + e.getMessage());
        }
    }
}
