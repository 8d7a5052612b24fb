package org.ciphernet.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.LongFunction;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.ReferenceEvaluator;
import org.junit.jupiter.api.Test;

/**
 * Ensembles in free slots: members of one architecture side by side in the same ciphertexts, their
 * outputs averaged inside the plan. Encrypted outputs equal the mean of the members' plaintext
 * outputs, and a single-image ensemble whose members fit the member's ring costs one member's
 * levels and about the rotations of a packed plan of as many images (plus the sum of the windows
 * in the mean).
 */
class EnsembleTest {
    private static Network ensemble(LongFunction<Network> architecture, long... seeds) {
        List<Network> members = java.util.Arrays.stream(seeds).mapToObj(architecture).toList();
        return Network.ensemble("ensemble", members);
    }

    @Test
    void thePlaintextEnsembleIsTheMeanOfItsMembers() {
        Network e = ensemble(TestNetworks::convBnQuadPoolDense, 1, 2, 3);
        double[] x = TestNetworks.image(e.inputShape(), 5);
        double[] mean = new double[e.output().shape().size()];
        for (Network m : e.members()) {
            double[] y = ReferenceEvaluator.evaluate(m, x);
            for (int c = 0; c < y.length; c++) {
                mean[c] += y[c] / 3;
            }
        }
        double[] got = ReferenceEvaluator.evaluate(e, x);
        for (int c = 0; c < mean.length; c++) {
            assertEquals(mean[c], got[c], 1e-12 * Math.max(1, Math.abs(mean[c])));
        }
        assertEquals(Network.ENSEMBLE_MEAN, e.output().name());
    }

    @Test
    void singleImageEnsemblesMatchTheMeanOfTheMembers() {
        EncryptedNetworksTest.checkSingle(ensemble(TestNetworks::convBnQuadPoolDense, 1, 2, 3), CompileOptions.singleImage());
        EncryptedNetworksTest.checkSingle(ensemble(TestNetworks::convBnQuadPoolDense, 4, 5), CompileOptions.singleImage().withIm2col(false));
        // additions: residual and shared-source skips, merged like every other operation
        EncryptedNetworksTest.checkSingle(ensemble(TestNetworks::residual, 1, 2), CompileOptions.singleImage());
        Network shared = ensemble(TestNetworks::sharedSource, 1, 2, 3, 4); // and through its plan file
        EncryptedNetworksTest.checkSingle(HePlan.fromBytes(Compiler.compile(shared, CompileOptions.singleImage()).toBytes()), shared);
        EncryptedNetworksTest.checkSingle(ensemble(TestNetworks::stridedStack, 1, 2), CompileOptions.singleImage());
    }

    @Test
    void batchedEnsemblesMatchTheMeanOfTheMembers() {
        EncryptedNetworksTest.checkBatched(ensemble(TestNetworks::convBnQuadPoolDense, 1, 2, 3), 3);
        EncryptedNetworksTest.checkBatched(ensemble(TestNetworks::quadraticSkips, 1, 2), 2);
    }

    @Test
    void membersInFreeSlotsCostWhatAPackedPlanOfAsManyImagesCosts() {
        for (LongFunction<Network> arch : List.<LongFunction<Network>>of(TestNetworks::convBnQuadPoolDense, TestNetworks::residual,
                org.ciphernet.nn.model.ExampleNetworks::cryptoNets)) {
            Network one = arch.apply(1);
            HePlan single = Compiler.compile(one, CompileOptions.singleImage());
            HePlan packed = Compiler.compile(one, CompileOptions.packed());
            int members = Math.min(4, packed.imagesPerCiphertext());
            assertTrue(members >= 2, one.name() + " leaves no room for a second member");
            long[] seeds = new long[members];
            for (int j = 0; j < members; j++) {
                seeds[j] = j + 1;
            }
            HePlan plan = Compiler.compile(ensemble(arch, seeds), CompileOptions.singleImage());
            System.out.println(single.report() + "\n" + packed.report() + "\n" + plan.report());
            assertEquals(single.report().parameters(), plan.report().parameters(), one.name());
            assertEquals(single.depth(), plan.depth(), one.name());
            // each member works in its window as each image of a packed plan does; the mean also sums the windows
            int extra = plan.report().rotations() - packed.report().rotations();
            assertTrue(extra <= Integer.numberOfTrailingZeros(plan.parameters().slots()), one.name() + ": " + extra + " more rotations");
        }
    }

    @Test
    void mismatchedMembersAndPackedModeAreRefused() {
        Network mixed = Network.ensemble("mixed", List.of(TestNetworks.quadraticSkips(1), TestNetworks.residual(1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Compiler.compile(mixed, CompileOptions.singleImage()));
        assertTrue(e.getMessage().contains("share one architecture") && e.getMessage().contains("member 1"), e.getMessage());
        Network e2 = ensemble(TestNetworks::convBnQuadPoolDense, 1, 2);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Compiler.compile(e2, CompileOptions.packed()))
                .getMessage().contains("single-image"));
        assertThrows(IllegalArgumentException.class, () -> Network.ensemble("one", List.of(TestNetworks.residual(1))));
        assertThrows(IllegalArgumentException.class, () -> Network.ensemble("nested", List.of(e2, e2)));
    }
}
