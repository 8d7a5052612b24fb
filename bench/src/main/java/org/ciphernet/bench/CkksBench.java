package org.ciphernet.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ciphernet.ckks.Ciphertext;
import org.ciphernet.ckks.CkksContext;
import org.ciphernet.ckks.CkksParameters;
import org.ciphernet.ckks.Decryptor;
import org.ciphernet.ckks.Encoder;
import org.ciphernet.ckks.Encryptor;
import org.ciphernet.ckks.Evaluator;
import org.ciphernet.ckks.GaloisKeys;
import org.ciphernet.ckks.KeyGenerator;
import org.ciphernet.ckks.Plaintext;
import org.ciphernet.ckks.RelinearizationKey;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CKKS operations at the top level of the 128-bit presets: N = 2^13 (log QP 214), 2^14 (430) and
 * 2^15 (868), each at the 2024 guidelines' bound (before issue 13: 218, 430 and 880, the 2018
 * standard's sizes as in SEAL), scale 2^40, one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx12g"})
public class CkksBench {
    @Param({"13", "14", "15"})
    public int logN;

    private Encoder encoder;
    private Encryptor publicEncryptor;
    private Encryptor secretEncryptor;
    private Decryptor decryptor;
    private Evaluator eval;
    private KeyGenerator keys;
    private RelinearizationKey rk;
    private GaloisKeys gk;
    private double[] values;
    private Plaintext pt;
    private Ciphertext ct;
    private Ciphertext ct2;
    private Ciphertext product;
    /** One row of 8 extended plaintexts, the weights of {@link #rotateHoistedSum8}. */
    private Plaintext[][] weights;
    private static final int[] HOISTED = {1, 2, 3, 4, 5, 6, 7, 8};

    @Setup
    public void setup() {
        CkksParameters params = switch (logN) {
            case 13 -> CkksParameters.presetN13Depth3();
            case 14 -> CkksParameters.presetN14Depth7();
            case 15 -> CkksParameters.presetN15Depth17();
            default -> throw new IllegalArgumentException("logN " + logN);
        };
        CkksContext ctx = CkksContext.create(params);
        keys = new KeyGenerator(ctx);
        encoder = new Encoder(ctx);
        publicEncryptor = Encryptor.withPublicKey(ctx, keys.publicKey());
        secretEncryptor = Encryptor.withSecretKey(ctx, keys.secretKey());
        decryptor = new Decryptor(ctx, keys.secretKey());
        eval = new Evaluator(ctx);
        rk = keys.relinearizationKey();
        gk = keys.galoisKeys(HOISTED, false);
        SplittableRandom rnd = new SplittableRandom(5);
        values = new double[encoder.slots()];
        for (int i = 0; i < values.length; i++) {
            values[i] = rnd.nextDouble() * 2 - 1;
        }
        pt = encoder.encode(values);
        ct = publicEncryptor.encrypt(pt);
        ct2 = publicEncryptor.encrypt(pt);
        product = eval.multiply(ct, ct2);
        weights = new Plaintext[1][HOISTED.length];
        for (int s = 0; s < HOISTED.length; s++) {
            weights[0][s] = encoder.encodeExtended(values, ct.level(), ctx.qPrime(ct.level()));
        }
    }

    @Benchmark
    public Plaintext encode() {
        return encoder.encode(values);
    }

    @Benchmark
    public double[] decode() {
        return encoder.decode(pt);
    }

    @Benchmark
    public Ciphertext encryptPublic() {
        return publicEncryptor.encrypt(pt);
    }

    @Benchmark
    public Ciphertext encryptSecret() {
        return secretEncryptor.encrypt(pt);
    }

    @Benchmark
    public Plaintext decrypt() {
        return decryptor.decrypt(ct);
    }

    @Benchmark
    public Ciphertext add() {
        return eval.add(ct, ct2);
    }

    @Benchmark
    public Ciphertext multiply() {
        return eval.multiply(ct, ct2);
    }

    @Benchmark
    public Ciphertext multiplyPlain() {
        return eval.multiplyPlain(ct, pt);
    }

    @Benchmark
    public Ciphertext relinearize() {
        return eval.relinearize(product, rk);
    }

    @Benchmark
    public Ciphertext rescale() {
        return eval.rescale(ct);
    }

    @Benchmark
    public Ciphertext rotate() {
        return eval.rotate(ct, 1, gk);
    }

    @Benchmark
    public Ciphertext[] rotateHoisted8() {
        return eval.rotateHoisted(ct, HOISTED, gk);
    }

    /** {@code Σ_s w_s · rotate(ct, s)} for 8 steps: what a linear layer's baby steps need, one ModDown per part. */
    @Benchmark
    public Ciphertext[] rotateHoistedSum8() {
        return eval.multiplyRotationsHoisted(ct, HOISTED, weights, gk);
    }

    @Benchmark
    public GaloisKeys keygenGalois() {
        return keys.galoisKeys(new int[] {1}, false);
    }
}
