package org.ciphernet.nn;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import org.ciphernet.ckks.CkksException;
import org.ciphernet.ckks.GaloisKeys;
import org.ciphernet.ckks.PublicKey;
import org.ciphernet.ckks.RelinearizationKey;
import org.ciphernet.ckks.Serialization;

/**
 * The public keys a server evaluates with: a relinearization key if the network squares anything,
 * Galois keys for exactly the plan's rotation steps, and the public encryption key if the plan
 * floods its outputs for circuit privacy ({@link FloodingOptions}). Holds nothing secret.
 */
public record EvaluationKeys(Optional<RelinearizationKey> relinearization, GaloisKeys galois, Optional<PublicKey> publicKey) {
    private static final int MAGIC = 0x43_4e_45_4b; // "CNEK"

    /** Checks for nulls. */
    public EvaluationKeys {
        Objects.requireNonNull(relinearization, "relinearization");
        Objects.requireNonNull(galois, "galois");
        Objects.requireNonNull(publicKey, "publicKey");
    }

    /** Keys without the public key (plans that do not flood). */
    public EvaluationKeys(Optional<RelinearizationKey> relinearization, GaloisKeys galois) {
        this(relinearization, galois, Optional.empty());
    }

    /** Memory of the keys in bytes. */
    public long sizeInBytes() {
        return galois.sizeInBytes() + relinearization.map(RelinearizationKey::sizeInBytes).orElse(0L);
    }

    /** The keys as bytes. */
    public byte[] toBytes(Serialization ser) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeBoolean(relinearization.isPresent());
            if (relinearization.isPresent()) {
                byte[] r = ser.write(relinearization.get());
                out.writeInt(r.length);
                out.write(r);
            }
            byte[] g = ser.write(galois);
            out.writeInt(g.length);
            out.write(g);
            if (publicKey.isPresent()) { // a trailing block, so keys without it keep their earlier bytes
                out.writeBoolean(true);
                byte[] p = ser.write(publicKey.get());
                out.writeInt(p.length);
                out.write(p);
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads keys written by {@link #toBytes}; corrupted bytes give a {@link CkksException.SerializationException}. */
    public static EvaluationKeys fromBytes(byte[] bytes, Serialization ser) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            if (in.readInt() != MAGIC) {
                throw new CkksException.SerializationException("not evaluation keys (bad magic number)");
            }
            Optional<RelinearizationKey> rk = Optional.empty();
            if (in.readBoolean()) {
                rk = Optional.of(ser.readRelinearizationKey(readBlock(in)));
            }
            GaloisKeys gk = ser.readGaloisKeys(readBlock(in));
            Optional<PublicKey> pk = Optional.empty();
            if (in.available() != 0) {
                if (!in.readBoolean()) {
                    throw new CkksException.SerializationException("bad public-key flag after the evaluation keys");
                }
                pk = Optional.of(ser.readPublicKey(readBlock(in)));
            }
            if (in.available() != 0) {
                throw new CkksException.SerializationException(in.available() + " trailing bytes after the evaluation keys");
            }
            return new EvaluationKeys(rk, gk, pk);
        } catch (IOException e) {
            throw new CkksException.SerializationException("truncated evaluation keys: " + e.getMessage());
        }
    }

    private static byte[] readBlock(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < 1 || len > in.available()) {
            throw new CkksException.SerializationException("key block claims " + len + " bytes, " + in.available() + " remain");
        }
        byte[] b = new byte[len];
        in.readFully(b);
        return b;
    }
}
