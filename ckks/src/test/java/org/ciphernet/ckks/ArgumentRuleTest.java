package org.ciphernet.ckks;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The error rule of {@link CkksException}'s Javadoc, case by case: an argument wrong on its own
 * raises {@link IllegalArgumentException} or {@link NullPointerException}; a CKKS-specific problem
 * raises the named {@link CkksException} subclass; every message names the argument or the cause.
 */
class ArgumentRuleTest {
    private final CkksTestKit kit = CkksTestKit.n13();

    private record Case(String name, Class<? extends Throwable> expected, String fragment, Executable call) {}

    @Test
    void everyMisuseRaisesTheTypeTheRuleNamesWithAnExactMessage() {
        int slots = kit.ctx.slots();
        Ciphertext c = kit.encrypt(new double[] {1, 2});
        Ciphertext three = kit.eval.multiply(c, c);
        Ciphertext bottom = kit.eval.dropToLevel(c, 0);
        Plaintext p = kit.encoder.encode(new double[] {1});
        GaloisKeys keys = kit.keys.galoisKeys(new int[] {1}, false);
        double[] tooMany = new double[slots + 1];
        double[] withNaN = {1, Double.NaN};
        List<Case> cases = List.of(
                // arguments wrong on their own
                new Case("encode: more values than slots", IllegalArgumentException.class,
                        "real has " + (slots + 1) + " values, more than the " + slots + " slots",
                        () -> kit.encoder.encode(tooMany)),
                new Case("encode: a long imag part", IllegalArgumentException.class,
                        "imag has " + (slots + 1) + " values, more than the " + slots + " slots",
                        () -> kit.encoder.encode(new double[] {1}, tooMany, kit.ctx.maxLevel(), 1 << 20)),
                new Case("encode: NaN", IllegalArgumentException.class, "real[1] must be a finite number, got NaN",
                        () -> kit.encoder.encode(withNaN)),
                new Case("encode: infinity in imag", IllegalArgumentException.class,
                        "imag[0] must be a finite number, got Infinity",
                        () -> kit.encoder.encode(new double[] {1}, new double[] {Double.POSITIVE_INFINITY},
                                kit.ctx.maxLevel(), 1 << 20)),
                new Case("encode: null", NullPointerException.class, "the real values must not be null",
                        () -> kit.encoder.encode(null)),
                new Case("encode: scale below 1", IllegalArgumentException.class, "scale must be a finite number >= 1",
                        () -> kit.encoder.encode(new double[] {1}, 1, 0.5)),
                new Case("encodeConstant: NaN", IllegalArgumentException.class, "the constant must be a finite number, got NaN",
                        () -> kit.encoder.encodeConstant(Double.NaN, 1, 1 << 20)),
                new Case("multiplyConstant: NaN", IllegalArgumentException.class,
                        "the constant must be a finite number, got NaN", () -> kit.eval.multiplyConstant(c, Double.NaN)),
                new Case("addConstant: infinity", IllegalArgumentException.class,
                        "the constant must be a finite number, got -Infinity",
                        () -> kit.eval.addConstant(c, Double.NEGATIVE_INFINITY)),
                new Case("multiply: a 3-part ciphertext", IllegalArgumentException.class,
                        "multiply takes 2-part ciphertexts, got one with 3 parts; relinearize it first",
                        () -> kit.eval.multiply(three, c)),
                new Case("square: a 3-part ciphertext", IllegalArgumentException.class, "square takes 2-part ciphertexts",
                        () -> kit.eval.square(three)),
                new Case("rotate: a 3-part ciphertext", IllegalArgumentException.class,
                        "rotate and conjugate take", () -> kit.eval.rotate(three, 1, keys)),
                new Case("rotateHoisted: a 3-part ciphertext", IllegalArgumentException.class,
                        "rotateHoisted takes 2-part ciphertexts", () -> kit.eval.rotateHoisted(three, new int[] {1}, keys)),
                new Case("multiplyAccumulate: lengths", IllegalArgumentException.class, "got 2 ciphertexts and 1 plaintexts",
                        () -> kit.eval.multiplyAccumulate(new Ciphertext[] {c, c}, new Plaintext[] {p})),
                new Case("linearCombination: lengths", IllegalArgumentException.class, "got 1 ciphertexts and 2 weights",
                        () -> kit.sums.linearCombination(new Ciphertext[] {c}, new double[] {1, 2}, 1 << 10)),
                new Case("linearCombination: NaN weight", IllegalArgumentException.class,
                        "weight (0, 0) must be a finite number, got NaN",
                        () -> kit.sums.linearCombination(new Ciphertext[] {c}, new double[] {Double.NaN}, 1 << 10)),
                new Case("linearTransform: column out of range", IllegalArgumentException.class,
                        "row 0 reads input 3, outside [0, 1)",
                        () -> kit.sums.linearTransform(new Ciphertext[] {c}, new int[][] {{3}}, new double[][] {{1}}, 1 << 10)),
                new Case("rotateAndSum: count", IllegalArgumentException.class, "count must be a power of two",
                        () -> kit.eval.rotateAndSum(c, 3, keys)),
                new Case("add: null", NullPointerException.class, "the ciphertext must not be null", () -> kit.eval.add(c, null)),
                new Case("multiplyPlain: null", NullPointerException.class, "the plaintext must not be null",
                        () -> kit.eval.multiplyPlain(c, null)),
                new Case("rotate: null keys", NullPointerException.class, "the Galois keys must not be null",
                        () -> kit.eval.rotate(c, 1, null)),
                new Case("relinearize: null key", NullPointerException.class, "the relinearization key must not be null",
                        () -> kit.eval.relinearize(three, null)),
                new Case("decrypt: null", NullPointerException.class, "the ciphertext must not be null",
                        () -> kit.decryptor.decrypt(null)),
                // CKKS-specific problems
                new Case("rescale at level 0", CkksException.LevelException.class, "level 0", () -> kit.eval.rescale(bottom)),
                new Case("encode at a level that does not exist", CkksException.LevelException.class, "level 9 outside [0, 3]",
                        () -> kit.encoder.encode(new double[] {1}, 9, 1 << 20)),
                new Case("rotate without its key", CkksException.MissingKeyException.class, "rotation by 2",
                        () -> kit.eval.rotate(c, 2, keys)),
                new Case("add at different scales", CkksException.ScaleMismatchException.class, "add needs equal scales",
                        () -> kit.eval.add(c, kit.eval.rescale(kit.eval.relinearize(three, kit.rk)))),
                new Case("multiply beyond the modulus", CkksException.ScaleOverflowException.class, "does not fit level 0",
                        () -> kit.eval.multiply(bottom, bottom)),
                new Case("constant too large for the modulus", CkksException.ScaleOverflowException.class, "constant × scale",
                        () -> kit.eval.addConstant(bottom, 1e30)));
        StringBuilder wrong = new StringBuilder();
        for (Case k : cases) {
            Throwable t = assertThrows(Throwable.class, k.call(), k.name());
            if (!k.expected().equals(t.getClass()) || t.getMessage() == null || !t.getMessage().contains(k.fragment())) {
                wrong.append(k.name()).append(": expected ").append(k.expected().getSimpleName()).append(" containing \"")
                        .append(k.fragment()).append("\", got ").append(t).append('\n');
            }
        }
        if (!wrong.isEmpty()) {
            fail(wrong.toString());
        }
    }

    @Test
    void argumentErrorsAreNeverCkksExceptionsAndCkksErrorsAreNeverArgumentErrors() {
        // The two families are disjoint, so a caller can catch either without the other.
        assertTrue(!IllegalArgumentException.class.isAssignableFrom(CkksException.class));
        assertTrue(!CkksException.class.isAssignableFrom(IllegalArgumentException.class));
    }
}
