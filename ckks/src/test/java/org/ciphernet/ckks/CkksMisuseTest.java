package org.ciphernet.ckks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** One test per misuse error, and the security-table boundaries. */
class CkksMisuseTest {
    private final CkksTestKit kit = CkksTestKit.n13();

    @Test
    void rescaleAtLevelZeroNamesTheProblem() {
        Ciphertext c = kit.eval.dropToLevel(kit.encrypt(new double[] {1}), 0);
        CkksException e = assertThrows(CkksException.LevelException.class, () -> kit.eval.rescale(c));
        assertTrue(e.getMessage().contains("level 0"), e.getMessage());
    }

    @Test
    void missingGaloisKeyNamesTheStepAndThePresentOnes() {
        GaloisKeys keys = kit.keys.galoisKeys(new int[] {1, 2}, false);
        Ciphertext c = kit.encrypt(new double[] {1});
        CkksException e = assertThrows(CkksException.MissingKeyException.class, () -> kit.eval.rotate(c, 3, keys));
        assertTrue(e.getMessage().contains("rotation by 3") && e.getMessage().contains("[1, 2]"), e.getMessage());
        assertThrows(CkksException.MissingKeyException.class, () -> kit.eval.conjugate(c, keys));
    }

    @Test
    void objectsFromOtherParametersAreRejected() {
        CkksParameters other = CkksParameters.builder().logN(13).qBits(List.of(46, 40, 40, 40)).pBits(List.of(48))
                .logScale(38).build();
        CkksContext ctx2 = CkksContext.create(other);
        Ciphertext c = kit.encrypt(new double[] {1});
        assertThrows(CkksException.ParameterMismatchException.class, () -> new Evaluator(ctx2).negate(c));
        assertThrows(CkksException.ParameterMismatchException.class, () -> new Decryptor(ctx2, kit.keys.secretKey()));
        assertThrows(CkksException.ParameterMismatchException.class, () -> new Encoder(ctx2).decode(kit.encoder.encode(new double[] {1})));
    }

    @Test
    void scaleMismatchIsRejectedNotSilentlyWrong() {
        Ciphertext a = kit.encrypt(new double[] {1});
        Ciphertext b = kit.encryptor.encrypt(kit.encoder.encode(new double[] {1}, kit.ctx.maxLevel(), Math.scalb(1.0, 30)));
        assertThrows(CkksException.ScaleMismatchException.class, () -> kit.eval.add(a, b));
        Ciphertext r = kit.eval.rescale(kit.eval.relinearize(kit.eval.multiply(a, a), kit.rk));
        assertThrows(CkksException.ScaleMismatchException.class, () -> kit.eval.add(a, r));
    }

    @Test
    void scaleOverflowIsRejected() {
        Ciphertext a = kit.eval.dropToLevel(kit.encrypt(new double[] {1}), 0);
        // scale 2^80 does not fit the 46 bits of level 0 (it would fit level 1's 86 bits)
        assertThrows(CkksException.ScaleOverflowException.class, () -> kit.eval.multiply(a, a));
        assertThrows(CkksException.ScaleOverflowException.class,
                () -> kit.encoder.encode(new double[] {1e12}, 0, Math.scalb(1.0, 40)));
        assertThrows(CkksException.LevelException.class, () -> kit.encoder.encode(new double[] {1}, 9, 1 << 20));
    }

    @Test
    void securityTableBoundaries() {
        // exactly at the 128-bit bound for N = 2^14 (430, the 2024 guidelines) is accepted, one bit more is
        // refused, and so is the 2018 standard's 438
        CkksParameters ok = CkksParameters.builder().logN(14).qBits(List.of(50, 40, 40, 40, 40, 40, 40, 40))
                .pBits(List.of(50, 50)).build();
        assertEquals(430, ok.logQp());
        assertThrows(CkksException.InsecureParametersException.class, () -> CkksParameters.builder().logN(14)
                .qBits(List.of(51, 40, 40, 40, 40, 40, 40, 40)).pBits(List.of(50, 50)).build());
        assertThrows(CkksException.InsecureParametersException.class, () -> CkksParameters.builder().logN(14)
                .qBits(List.of(58, 40, 40, 40, 40, 40, 40, 40)).pBits(List.of(50, 50)).build());
        int[][] table = {{12, 106}, {13, 214}, {14, 430}, {15, 868}, {16, 1747}, {17, 3523}};
        for (int[] row : table) {
            assertEquals(row[1], SecurityLevel.CLASSICAL_128.maxLogQp(row[0]));
        }
        assertEquals(297, SecurityLevel.CLASSICAL_192.maxLogQp(14));
        assertEquals(230, SecurityLevel.CLASSICAL_256.maxLogQp(14));
        // 2^16 has a published 192-bit bound (2024 guidelines, Table 5.2); 2^9 has none at any level
        assertEquals(1199, SecurityLevel.CLASSICAL_192.maxLogQp(16));
        assertThrows(CkksException.InsecureParametersException.class, () -> SecurityLevel.CLASSICAL_192.maxLogQp(9));
        // 192-bit refuses the 128-bit preset, the explicit opt-out accepts anything
        assertThrows(CkksException.InsecureParametersException.class, () -> CkksParameters.builder().logN(13)
                .qBits(List.of(46, 40, 40, 40)).pBits(List.of(48)).security(SecurityLevel.CLASSICAL_192).build());
        CkksParameters.builder().logN(12).qBits(List.of(60, 60, 60)).pBits(List.of(60))
                .security(SecurityLevel.NONE_INSECURE).build();
    }

    @Test
    void fingerprintsAreStableAndDistinguishParameters() {
        assertEquals(CkksParameters.presetN13Depth3().fingerprint(), CkksParameters.presetN13Depth3().fingerprint());
        assertTrue(CkksParameters.presetN13Depth3().fingerprint() != CkksParameters.presetN14Depth7().fingerprint());
        assertEquals("SecretKey[redacted]", kit.keys.secretKey().toString());
    }
}
