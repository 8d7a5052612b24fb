package org.ciphernet.ckks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.ciphernet.ring.RnsPoly;
import org.junit.jupiter.api.Test;

/** The fast rounding of scaled coefficients into RNS limbs agrees bit for bit with the simple per-coefficient path. */
class EncoderRoundingTest {
    @Test
    void fastRoundingEqualsPerCoefficientResidues() {
        CkksTestKit kit = CkksTestKit.n13();
        CkksContext ctx = kit.ctx;
        int n = ctx.degree();
        SplittableRandom rnd = new SplittableRandom(21);
        double scale = 0x1p30;
        for (int run = 0; run < 2 * (ctx.maxLevel() + 1); run++) {
            int level = run / 2;
            // random values of both signs, zeros, tiny values, and the largest magnitude the level
            // holds: just below 2^52 (the double-precision reduction) or below 2^62 (Barrett; the
            // BigInteger path starts there) when the level is that wide
            double limit = run % 2 == 0 ? 0x1p52 - 0x1p4 : 0x1p62 - 0x1p12;
            double big = Math.min(limit, Math.scalb(1.0, (int) Math.floor(ctx.log2Modulus(level)) - 2)) / scale;
            double[] c = new double[n];
            for (int t = 0; t < n; t++) {
                c[t] = switch (t % 6) {
                    case 0 -> 0.0;
                    case 1 -> (rnd.nextDouble() * 2 - 1) * 1e-12;
                    case 2 -> -big;
                    case 3 -> big * (rnd.nextBoolean() ? 1 : -1) * rnd.nextDouble();
                    default -> (rnd.nextDouble() * 2 - 1) * 1000;
                };
            }
            RnsPoly fast = kit.encoder.scaledToRns(c, level, scale);
            RnsPoly ref = kit.ctx.ring().zero(ctx.levelPrimes(level), false);
            for (int t = 0; t < n; t++) {
                long[] r = ctx.residues(c[t] * scale, level);
                for (int i = 0; i <= level; i++) {
                    ref.limb(i)[t] = r[i];
                }
            }
            kit.ctx.ring().toNtt(ref);
            for (int i = 0; i <= level; i++) {
                assertArrayEquals(ref.limb(i), fast.limb(i), "level " + level + ", prime " + i);
            }
        }
    }
}
