package org.ciphernet.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.ciphernet.ckks.Ciphertext;
import org.ciphernet.ckks.CkksContext;
import org.ciphernet.ckks.CkksException;
import org.ciphernet.ckks.Decryptor;
import org.ciphernet.ckks.Encoder;
import org.ciphernet.ckks.Encryptor;
import org.ciphernet.ckks.FloodingDecryptor;
import org.ciphernet.ckks.GaloisKeys;
import org.ciphernet.ckks.KeyGenerator;
import org.ciphernet.ckks.KeyIdentifier;
import org.ciphernet.ckks.RelinearizationKey;
import org.ciphernet.ckks.Serialization;

/**
 * The data owner's side: holds the secret key, makes the {@link EvaluationKeys} the server needs,
 * lays out and encrypts images, and decrypts results. Batched plans encrypt with the secret key
 * (symmetric RLWE encryption, whose fresh noise in the slots is about 2^4 smaller than public-key
 * encryption's at N = 2^14: at the batched scale of 2^30 the public-key noise alone would cost 4 of
 * about 16 bits of precision); single-image plans, at scales of 2^33 to 2^40, encrypt with the
 * public key. Keys and encryption randomness come from
 * {@link java.security.SecureRandom}-seeded generators; {@link #reproducible} exists for tests.
 *
 * <p>Thread-safe: one client may serve many request threads at once. Each thread encrypts with its
 * own generator, so no two ciphertexts share their randomness (see {@link Encryptor}); with
 * {@link #reproducible}, results depend on the order of calls across threads.
 */
public final class HeClient {
    private final ClientSpec spec;
    private final CkksContext context;
    private final KeyGenerator keygen;
    private final Encoder encoder;
    private final Encryptor encryptor;
    private final Decryptor decryptor;
    /** Decrypts outputs when the plan asks for safe decryption ({@link FloodingOptions}), else null. */
    private final FloodingDecryptor outputDecryptor;
    private final KeyIdentifier keyId;
    private final long planFingerprint;
    private EvaluationKeys evaluationKeys;

    /** What {@link #encrypt(double[], OutOfRange)} does with values outside the plan's {@link InputRange}. */
    public enum OutOfRange {
        /** Refuse the image with an {@link IllegalArgumentException} naming the value and the range (the default). */
        REFUSE,
        /** Clip the values into the range and log a warning with their count. */
        CLIP
    }

    private static final System.Logger LOG = System.getLogger(HeClient.class.getName());

    private HeClient(ClientSpec spec, CkksContext context, KeyGenerator keygen, Encryptor encryptor) {
        this.spec = spec;
        this.context = context;
        this.keygen = keygen;
        this.encoder = new Encoder(context);
        this.encryptor = encryptor;
        this.decryptor = new Decryptor(context, keygen.secretKey());
        this.outputDecryptor = spec.flooding().flatMap(f -> f.decryptionLog2Sigma().isPresent()
                ? Optional.of(FloodingDecryptor.create(context, keygen.secretKey(), f.decryptionLog2Sigma().getAsDouble()))
                : Optional.empty()).orElse(null);
        this.keyId = KeyIdentifier.of(context, keygen.secretKey());
        this.planFingerprint = spec.fingerprint();
    }

    /**
     * The public identifier of this client's key pair (the same in every process that restores the
     * same secret key); tensors and evaluation keys carry it.
     */
    public KeyIdentifier keyId() {
        return keyId;
    }

    /** The encryptor for a plan's mode (see the class comment); {@code seed} null for secure randomness. */
    private static Encryptor encryptor(ClientSpec spec, CkksContext context, KeyGenerator kg, byte[] seed) {
        boolean secretKey = spec.mode() == Mode.BATCHED;
        if (seed == null) {
            return secretKey ? Encryptor.withSecretKey(context, kg.secretKey()) : Encryptor.withPublicKey(context, kg.publicKey());
        }
        return secretKey ? Encryptor.reproducibleWithSecretKey(context, kg.secretKey(), seed)
                : Encryptor.reproducibleWithPublicKey(context, kg.publicKey(), seed);
    }

    /** A client with fresh secure keys. */
    public static HeClient create(ClientSpec spec) {
        CkksContext ctx = CkksContext.create(Objects.requireNonNull(spec, "spec").parameters());
        KeyGenerator kg = new KeyGenerator(ctx);
        return new HeClient(spec, ctx, kg, encryptor(spec, ctx, kg, null));
    }

    /** A client sharing a context already built for the same parameters (saves building tables). */
    public static HeClient create(ClientSpec spec, CkksContext context) {
        checkContext(spec, context);
        KeyGenerator kg = new KeyGenerator(context);
        return new HeClient(spec, context, kg, encryptor(spec, context, kg, null));
    }

    /** <b>For tests only:</b> keys and encryption randomness derived from a 32-byte seed. */
    public static HeClient reproducible(ClientSpec spec, CkksContext context, byte[] seed) {
        checkContext(spec, context);
        KeyGenerator kg = KeyGenerator.reproducible(context, seed);
        byte[] encSeed = seed.clone();
        encSeed[0] ^= 0x5a;
        return new HeClient(spec, context, kg, encryptor(spec, context, kg, encSeed));
    }

    /**
     * A client for keys kept from an earlier session: the secret key read back with
     * {@link org.ciphernet.ckks.Serialization#readSecretKey}. Encryption randomness (and any
     * evaluation keys it makes) come from {@code SecureRandom}.
     */
    public static HeClient restore(ClientSpec spec, CkksContext context, org.ciphernet.ckks.SecretKey secretKey) {
        checkContext(spec, context);
        KeyGenerator kg = KeyGenerator.fromSecretKey(context, secretKey);
        return new HeClient(spec, context, kg, encryptor(spec, context, kg, null));
    }

    /**
     * The secret key, to be kept by the data owner (for example written with
     * {@link org.ciphernet.ckks.Serialization#write(org.ciphernet.ckks.SecretKey)} to a file only
     * the owner can read, and given back to {@link #restore}). Never send it to the server.
     */
    public org.ciphernet.ckks.SecretKey secretKey() {
        return keygen.secretKey();
    }

    private static void checkContext(ClientSpec spec, CkksContext context) {
        if (!spec.parameters().equals(context.parameters())) {
            throw new CkksException.ParameterMismatchException("the context's parameters are not the plan's");
        }
    }

    /** The plan-derived specification this client follows. */
    public ClientSpec spec() {
        return spec;
    }

    /** The CKKS context. */
    public CkksContext context() {
        return context;
    }

    /** A serializer for this client's keys and ciphertexts. */
    public Serialization serialization() {
        return new Serialization(context);
    }

    /** The evaluation keys for the server (generated once, on first use). */
    public synchronized EvaluationKeys evaluationKeys() {
        if (evaluationKeys == null) {
            Optional<RelinearizationKey> rk = spec.relinearization() ? Optional.of(keygen.relinearizationKey()) : Optional.empty();
            int[] steps = spec.rotationSteps().stream().mapToInt(Integer::intValue).toArray();
            int[] levels = spec.rotationLevels().stream().mapToInt(Integer::intValue).toArray();
            GaloisKeys gk = keygen.galoisKeys(steps, levels, false);
            boolean floods = spec.flooding().isPresent() && spec.flooding().get().serverLog2Sigma().isPresent();
            evaluationKeys = new EvaluationKeys(rk, gk, floods ? Optional.of(keygen.publicKey()) : Optional.empty(), keyId,
                    java.util.OptionalLong.of(planFingerprint));
        }
        return evaluationKeys;
    }

    /**
     * Encrypts one image (flat C×H×W) laid out as the plan says; single-image mode (or packed mode,
     * the image alone in its ciphertext). Values outside the plan's {@link ClientSpec#inputRange()}
     * are refused.
     *
     * @throws IllegalArgumentException if the image has the wrong size, a non-finite value, or a value
     *     outside the input range (the message names the first such value, its index and the range)
     */
    public EncryptedTensor encrypt(double[] image) {
        return encrypt(image, OutOfRange.REFUSE);
    }

    /** Encrypts one image, refusing or clipping values outside the plan's input range as {@code policy} says. */
    public EncryptedTensor encrypt(double[] image, OutOfRange policy) {
        if (spec.mode() == Mode.BATCHED) {
            throw new IllegalStateException("encrypt is for SINGLE_IMAGE and PACKED plans; this plan is BATCHED: use encryptBatch");
        }
        return packed(new double[][] {image}, Objects.requireNonNull(policy, "policy"));
    }

    /** Images side by side at the plan's stride (one image: at slot 0), gathered as the plan says. */
    private EncryptedTensor packed(double[][] images, OutOfRange policy) {
        int[] gather = spec.inputGather();
        int stride = spec.mode() == Mode.PACKED ? spec.imageStride() : 0;
        double[] slots = new double[(images.length - 1) * stride + gather.length];
        for (int b = 0; b < images.length; b++) {
            double[] x = checkImage(images[b], b, policy);
            for (int i = 0; i < gather.length; i++) {
                slots[b * stride + i] = gather[i] < 0 ? 0 : x[gather[i]];
            }
        }
        return query(List.of(encryptor.encrypt(encoder.encode(slots, spec.inputLevel(), spec.inputScale()))), images.length);
    }

    /**
     * Encrypts several images: batched mode, up to {@code slots} images, one per slot, one ciphertext
     * per input element; packed mode, up to {@link ClientSpec#imagesPerCiphertext()} images side by
     * side in one ciphertext. Values outside the plan's input range are refused.
     */
    public EncryptedTensor encryptBatch(double[][] images) {
        return encryptBatch(images, OutOfRange.REFUSE);
    }

    /** Encrypts a batch, refusing or clipping values outside the plan's input range as {@code policy} says. */
    public EncryptedTensor encryptBatch(double[][] images, OutOfRange policy) {
        Objects.requireNonNull(policy, "policy");
        if (spec.mode() == Mode.SINGLE_IMAGE) {
            throw new IllegalStateException("encryptBatch is for BATCHED and PACKED plans; this plan is SINGLE_IMAGE: use encrypt");
        }
        int slots = spec.imagesPerCiphertext();
        if (images.length < 1 || images.length > slots) {
            throw new IllegalArgumentException("a batch of this " + spec.mode() + " plan holds 1 to " + slots + " images, got "
                    + images.length);
        }
        if (spec.mode() == Mode.PACKED) {
            return packed(images, policy);
        }
        double[][] x = new double[images.length][];
        for (int b = 0; b < images.length; b++) {
            x[b] = checkImage(images[b], b, policy);
        }
        List<Ciphertext> cts = new ArrayList<>(spec.inputSize());
        double[] v = new double[images.length];
        for (int e = 0; e < spec.inputSize(); e++) {
            for (int b = 0; b < images.length; b++) {
                v[b] = x[b][e];
            }
            cts.add(encryptor.encrypt(encoder.encode(v, spec.inputLevel(), spec.inputScale())));
        }
        return query(cts, images.length);
    }

    private EncryptedTensor query(List<Ciphertext> cts, int images) {
        return new EncryptedTensor(cts, images, EncryptedTensor.Kind.QUERY, planFingerprint, keyId);
    }

    /**
     * Decrypts the output of a single-image inference.
     *
     * @throws MismatchedTensorException if {@code out} is not an answer for this client's plan and key pair
     */
    public double[] decrypt(EncryptedTensor out) {
        if (spec.mode() == Mode.BATCHED) {
            throw new IllegalStateException("decrypt is for SINGLE_IMAGE and PACKED plans; this plan is BATCHED: use decryptBatch");
        }
        checkAnswer(out);
        if (out.ciphertexts().size() != 1 || out.images() != 1) {
            throw new IllegalArgumentException("a single-image output is one ciphertext of one image, got "
                    + out.ciphertexts().size() + " ciphertexts of " + out.images() + " images");
        }
        return unpacked(out)[0];
    }

    /** The outputs of each image of a one-ciphertext answer, image b's at the plan's slots + b·stride. */
    private double[][] unpacked(EncryptedTensor out) {
        double[] v = decryptOutput(out.ciphertexts().get(0));
        int[] at = spec.outputSlots();
        int stride = spec.mode() == Mode.PACKED ? spec.imageStride() : 0;
        double[][] r = new double[out.images()][at.length];
        for (int b = 0; b < r.length; b++) {
            for (int i = 0; i < at.length; i++) {
                r[b][i] = v[b * stride + at[i]];
            }
        }
        return r;
    }

    /**
     * Decrypts a batched output: {@code result[image][output]}.
     *
     * @throws MismatchedTensorException if {@code out} is not an answer for this client's plan and key pair
     * @throws IllegalArgumentException if its counts do not fit the plan (checked before any allocation)
     */
    public double[][] decryptBatch(EncryptedTensor out) {
        if (spec.mode() == Mode.SINGLE_IMAGE) {
            throw new IllegalStateException("decryptBatch is for BATCHED and PACKED plans; this plan is SINGLE_IMAGE: use decrypt");
        }
        checkAnswer(out);
        if (spec.mode() == Mode.PACKED) {
            if (out.ciphertexts().size() != 1 || out.images() < 1 || out.images() > spec.imagesPerCiphertext()) {
                throw new IllegalArgumentException("a packed output is one ciphertext of 1 to " + spec.imagesPerCiphertext()
                        + " images, got " + out.ciphertexts().size() + " ciphertexts of " + out.images() + " images");
            }
            return unpacked(out);
        }
        if (out.ciphertexts().size() != spec.outputSize()) {
            throw new IllegalArgumentException("expected " + spec.outputSize() + " output ciphertexts, got " + out.ciphertexts().size());
        }
        if (out.images() > context.slots()) {
            throw new IllegalArgumentException("the output claims " + out.images() + " images but this plan's ciphertexts hold at most "
                    + context.slots());
        }
        double[][] r = new double[out.images()][spec.outputSize()];
        int[] at = spec.outputSlots();
        for (int e = 0; e < spec.outputSize(); e++) {
            double[] v = decryptOutput(out.ciphertexts().get(at[e]));
            for (int b = 0; b < out.images(); b++) {
                r[b][e] = v[b];
            }
        }
        return r;
    }

    /** Refuses anything but an answer made for this client's plan and key pair. */
    private void checkAnswer(EncryptedTensor out) {
        Objects.requireNonNull(out, "out");
        if (out.kind() != EncryptedTensor.Kind.ANSWER) {
            throw new MismatchedTensorException("this is an encrypted " + out.kind().name().toLowerCase(java.util.Locale.ROOT)
                    + ", not an answer: decrypt the server's output");
        }
        if (out.planFingerprint() != planFingerprint) {
            throw new MismatchedTensorException("this answer was made for another plan (plan " + out.planFingerprintHex()
                    + ", yours is " + spec.fingerprintHex() + "): use the plan file the server runs (or compile the same model with the same options)");
        }
        if (!out.keyId().equals(keyId)) {
            throw new MismatchedTensorException("this answer was made for another key pair (key id " + out.keyId() + ", yours is "
                    + keyId + ")");
        }
    }

    /** Decrypts and decodes an output ciphertext, flooded if the plan asks for safe decryption. */
    private double[] decryptOutput(Ciphertext c) {
        return outputDecryptor == null ? decryptSlots(c) : encoder.decode(outputDecryptor.decrypt(c));
    }

    /** Decrypts and decodes all slots of one ciphertext (for checks of intermediate values; never flooded). */
    double[] decryptSlots(Ciphertext c) {
        return encoder.decode(decryptor.decrypt(c));
    }

    /** Checks an image's size and values; returns it, or a clipped copy under {@link OutOfRange#CLIP}. */
    private double[] checkImage(double[] image, int b, OutOfRange policy) {
        Objects.requireNonNull(image, "image");
        if (image.length != spec.inputSize()) {
            throw new IllegalArgumentException("image " + b + " has " + image.length + " values, the network expects " + spec.inputSize());
        }
        InputRange range = spec.inputRange();
        double[] out = image;
        int clipped = 0;
        for (int i = 0; i < image.length; i++) {
            double x = image[i];
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException("image " + b + " contains a non-finite value at index " + i);
            }
            if (!range.contains(x)) {
                if (policy == OutOfRange.REFUSE) {
                    throw new IllegalArgumentException("image " + b + " has value " + x + " at index " + i + ", outside the input range "
                            + range + " the plan was compiled for (scale the input as in training, or ask for clipping)");
                }
                if (out == image) {
                    out = image.clone();
                }
                out[i] = range.clip(x);
                clipped++;
            }
        }
        if (clipped > 0) {
            LOG.log(System.Logger.Level.WARNING, "image " + b + ": " + clipped + " values outside the input range " + range
                    + " were clipped into it");
        }
        return out;
    }
}
