package org.ciphernet.nn;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.ciphernet.ckks.CkksException;
import org.ciphernet.ckks.GaloisKeys;
import org.ciphernet.ckks.KeyIdentifier;
import org.ciphernet.ckks.PublicKey;
import org.ciphernet.ckks.RelinearizationKey;
import org.ciphernet.ckks.Serialization;

/**
 * The public keys a server evaluates with: a relinearization key if the network squares anything,
 * Galois keys for exactly the plan's rotation steps, the public encryption key if the plan floods its
 * outputs for circuit privacy ({@link FloodingOptions}), and the {@link KeyIdentifier} of the key
 * pair they were made from (a server refuses queries under another key pair). Holds nothing secret.
 *
 * <p>Wire format (version 3; version 2, read too, had no plan fingerprint; version 1 had no key
 * identifier and no integrity check and is refused): {@code "CNEK"}, version, key identifier (16
 * bytes), a byte 0 or 1 and the plan fingerprint (8 bytes; version 3 only), a byte 0 or 1 for the
 * relinearization key, which then follows as a length (4) and its {@link Serialization} bytes, the
 * Galois keys as a length and bytes, a byte 0 or 1 for the public key, which then follows as a
 * length and bytes, and a CRC32C over all of it, checked before anything is parsed.
 *
 * @param relinearization the relinearization key, if the plan needs one
 * @param galois the Galois keys
 * @param publicKey the public key, present only if the plan floods its outputs
 * @param keyId the key pair the keys belong to
 * @param planFingerprint the fingerprint of the plan the keys were made for (empty for keys read
 *     from version 2, which did not record it)
 */
public record EvaluationKeys(Optional<RelinearizationKey> relinearization, GaloisKeys galois, Optional<PublicKey> publicKey,
        KeyIdentifier keyId, OptionalLong planFingerprint) {
    private static final int MAGIC = 0x43_4e_45_4b; // "CNEK"
    private static final int VERSION = 3;
    private static final int VERSION_WITHOUT_PLAN = 2;
    private static final String NAME = "evaluation keys";
    /** Files of at least this many bytes (16 MiB) are memory-mapped by {@link #read(Path, Serialization)}. */
    public static final int MAP_THRESHOLD = 16 << 20;

    /** Checks for nulls. */
    public EvaluationKeys {
        Objects.requireNonNull(relinearization, "relinearization");
        Objects.requireNonNull(galois, "galois");
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(planFingerprint, "planFingerprint");
    }

    /** Keys not tied to a plan. */
    public EvaluationKeys(Optional<RelinearizationKey> relinearization, GaloisKeys galois, Optional<PublicKey> publicKey,
            KeyIdentifier keyId) {
        this(relinearization, galois, publicKey, keyId, OptionalLong.empty());
    }

    /** Keys without the public key (plans that do not flood their outputs). */
    public EvaluationKeys(Optional<RelinearizationKey> relinearization, GaloisKeys galois, KeyIdentifier keyId) {
        this(relinearization, galois, Optional.empty(), keyId, OptionalLong.empty());
    }

    /** Memory of the keys in bytes. */
    public long sizeInBytes() {
        return galois.sizeInBytes() + relinearization.map(RelinearizationKey::sizeInBytes).orElse(0L)
                + publicKey.map(PublicKey::sizeInBytes).orElse(0L);
    }

    /** The keys as bytes. */
    public byte[] toBytes(Serialization ser) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.write(keyId.bytes());
            out.writeBoolean(planFingerprint.isPresent());
            out.writeLong(planFingerprint.orElse(0));
            out.writeByte(relinearization.isPresent() ? 1 : 0);
            if (relinearization.isPresent()) {
                byte[] r = ser.write(relinearization.get());
                out.writeInt(r.length);
                out.write(r);
            }
            byte[] g = ser.write(galois);
            out.writeInt(g.length);
            out.write(g);
            out.writeByte(publicKey.isPresent() ? 1 : 0);
            if (publicKey.isPresent()) {
                byte[] p = ser.write(publicKey.get());
                out.writeInt(p.length);
                out.write(p);
            }
            out.flush();
            return WireFormat.seal(bytes.toByteArray(), bytes.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads keys written by {@link #toBytes}; the CRC32C is checked first.
     *
     * @throws CkksException.SerializationException on corrupted, truncated or foreign bytes
     */
    public static EvaluationKeys fromBytes(byte[] bytes, Serialization ser) {
        if (bytes == null) {
            throw new CkksException.SerializationException("no bytes for the " + NAME);
        }
        return fromBytes(ByteBuffer.wrap(bytes), ser);
    }

    /**
     * Reads keys from a file written with {@link #toBytes}. A file of {@link #MAP_THRESHOLD} bytes or
     * more is memory-mapped while it is parsed and unmapped before this returns, so the heap holds
     * only the parsed keys, never a second copy of the file; smaller files are read into the heap.
     *
     * @throws CkksException.SerializationException on corrupted, truncated or foreign bytes, or a
     *     file larger than the format's 2 GiB
     * @throws IOException if the file cannot be read
     */
    public static EvaluationKeys read(Path file, Serialization ser) throws IOException {
        return read(file, ser, MAP_THRESHOLD);
    }

    /** {@link #read(Path, Serialization)} mapping files of at least {@code mapThreshold} bytes (tests map small files). */
    static EvaluationKeys read(Path file, Serialization ser, long mapThreshold) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE - 16) {
                throw new CkksException.SerializationException(file + " holds " + size + " bytes, more than " + NAME
                        + " take (2 GiB at most): not " + NAME);
            }
            if (size < mapThreshold) {
                return fromBytes(Files.readAllBytes(file), ser);
            }
            try (Arena arena = Arena.ofConfined()) { // closing it unmaps the file
                return fromBytes(ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena).asByteBuffer(), ser);
            }
        }
    }

    /**
     * Reads keys from the bytes between {@code bytes}' position and limit (on the heap or
     * memory-mapped; parsed in place, without copying them, and the position is left unchanged).
     *
     * @throws CkksException.SerializationException on corrupted, truncated or foreign bytes
     */
    public static EvaluationKeys fromBytes(ByteBuffer bytes, Serialization ser) {
        Objects.requireNonNull(bytes, "bytes");
        boolean withPlan = WireFormat.version(bytes) != VERSION_WITHOUT_PLAN;
        ByteBuffer b = WireFormat.open(bytes, MAGIC, withPlan ? VERSION : VERSION_WITHOUT_PLAN, NAME,
                "written before keys carried their key identifier; make the keys again");
        WireFormat.need(b, KeyIdentifier.BYTES + 1, NAME + " header");
        byte[] id = new byte[KeyIdentifier.BYTES];
        b.get(id);
        OptionalLong plan = OptionalLong.empty();
        if (withPlan) {
            WireFormat.need(b, 10, NAME + " plan fingerprint"); // its flag and 8 bytes, then the relinearization flag
            int present = b.get();
            long fp = b.getLong();
            if (present != 0 && present != 1) {
                throw new CkksException.SerializationException("corrupted " + NAME + " header: plan flag " + present);
            }
            plan = present == 1 ? OptionalLong.of(fp) : OptionalLong.empty();
        }
        int flag = b.get();
        if (flag != 0 && flag != 1) {
            throw new CkksException.SerializationException("corrupted " + NAME + " header: relinearization flag " + flag);
        }
        Optional<RelinearizationKey> rk = flag == 1
                ? Optional.of(ser.readRelinearizationKey(WireFormat.blockView(b, NAME + " relinearization key")))
                : Optional.empty();
        GaloisKeys gk = ser.readGaloisKeys(WireFormat.blockView(b, NAME + " Galois keys"));
        WireFormat.need(b, 1, NAME + " public-key flag");
        int pkFlag = b.get();
        if (pkFlag != 0 && pkFlag != 1) {
            throw new CkksException.SerializationException("corrupted " + NAME + ": public-key flag " + pkFlag);
        }
        Optional<PublicKey> pk = pkFlag == 1
                ? Optional.of(ser.readPublicKey(WireFormat.blockView(b, NAME + " public key")))
                : Optional.empty();
        if (b.hasRemaining()) {
            throw new CkksException.SerializationException(b.remaining() + " trailing bytes after the " + NAME);
        }
        return new EvaluationKeys(rk, gk, pk, new KeyIdentifier(id), plan);
    }
}
