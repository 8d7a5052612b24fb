package org.ciphernet.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.ciphernet.ckks.CkksParameters;
import org.ciphernet.nn.internal.DiagonalPlan;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.Shape;
import org.junit.jupiter.api.Test;

/** Level counts, fusing, alignment, key sets and parameter choice, without encrypting anything. */
class PlannerTest {
    @Test
    void linearRunsFuseIntoOneLevelAndActivationsCostOne() {
        // conv → BN → quadratic → avgpool → flatten → dense: 1 + 1 + 1 levels
        Network net = TestNetworks.convBnQuadPoolDense(1);
        HePlan p = Compiler.compile(net, CompileOptions.singleImage());
        assertEquals(3, p.depth(), p.report().toString());
        HePlan b = Compiler.compile(net, CompileOptions.batched());
        assertEquals(3, b.depth());
        assertTrue(b.report().rotationSteps().isEmpty());
    }

    @Test
    void quadraticWithAZeroCoefficientCostsTwoLevels() {
        // conv, then x² and the a-product (the b·x + c branch is linear and waits at no cost), then fc
        assertEquals(4, Compiler.compile(TestNetworks.quadraticWithZero(2), CompileOptions.singleImage()).depth());
    }

    @Test
    void sharedSourceIsAlignedOnceLevelsDiffer() {
        HePlan p = Compiler.compile(TestNetworks.sharedSource(3), CompileOptions.singleImage());
        System.out.println(p.report());
        long aligns = p.report().rows().stream().filter(r -> r.kind().equals("align")).count();
        assertEquals(1, aligns, "the identity skip of the first stage needs one alignment; the projected one none");
        // stem(1) x²(1) [conv x²](2) add, [conv x²](2) add(proj) → gap+dense(1)
        assertEquals(7, p.depth());
    }

    @Test
    void keySetIsExactlyTheStepsThePlansUse() {
        HePlan p = Compiler.compile(TestNetworks.convBnQuadPoolDense(1), CompileOptions.singleImage());
        Set<Integer> used = new TreeSet<>();
        for (Step s : p.steps()) {
            if (s.diagonals != null) {
                used.addAll(s.diagonals.stepUses().keySet());
            }
        }
        assertEquals(used, new TreeSet<>(p.report().rotationSteps()));
        assertEquals(List.copyOf(used), p.clientSpec().rotationSteps());
    }

    @Test
    void keyBudgetFallsBackToComposedRotations() {
        Network net = TestNetworks.convBnQuadPoolDense(1);
        HePlan exact = Compiler.compile(net, CompileOptions.singleImage());
        HePlan small = Compiler.compile(net, CompileOptions.singleImage().withMaxKeyBytes(1));
        int slots = small.parameters().slots();
        assertTrue(RotationKeys.powersOfTwo(slots).containsAll(small.report().rotationSteps()), small.report().rotationSteps().toString());
        assertTrue(small.report().rotations() >= exact.report().rotations());
        for (HePlan p : List.of(exact, small)) {
            RotationKeys k = p.keys();
            for (Step st : p.steps()) {
                if (st.diagonals == null) {
                    continue;
                }
                for (int step : st.diagonals.steps()) {
                    int sum = 0;
                    for (int s : k.compose(step)) {
                        assertTrue(k.has(s));
                        // each key is made for the highest level it is used at, and no higher
                        assertTrue(k.level(s) >= st.evalLevel && k.level(s) <= p.context().maxLevel(), "level of key " + s);
                        sum += s;
                    }
                    assertEquals(Math.floorMod(step, slots), Math.floorMod(sum, slots), "step " + step);
                }
            }
        }
    }

    @Test
    void tooDeepNetworksAreRefusedWithTheDepthNeeded() {
        Network.Builder b = Network.builder("deep", Shape.vector(4));
        for (int i = 0; i < 120; i++) {
            b.layer("sq" + i, new org.ciphernet.nn.model.Square());
        }
        NoSecureParametersException e = assertThrows(NoSecureParametersException.class,
                () -> Compiler.compile(b.build(), CompileOptions.batched()));
        assertEquals(120, e.depthNeeded());
        assertTrue(e.getMessage().contains("depth 120") && e.depthAvailable() < 120, e.getMessage());
        NoSecureParametersException e2 = assertThrows(NoSecureParametersException.class,
                () -> Compiler.compile(TestNetworks.convBnQuadPoolDense(1),
                        CompileOptions.singleImage().withParameters(CkksParameters.forDepth(13, 2, 40, 20, 3))));
        assertTrue(e2.getMessage().contains("depth 3"), e2.getMessage());
    }

    @Test
    void givenParametersWeakerThanTheOptionsAskForAreRefused() {
        CkksParameters weak = CkksParameters.builder().logN(12).qBits(java.util.List.of(60, 40, 40, 40)).pBits(java.util.List.of(60))
                .logScale(40).security(org.ciphernet.ckks.SecurityLevel.NONE_INSECURE).build();
        org.ciphernet.ckks.CkksException e = assertThrows(org.ciphernet.ckks.CkksException.InsecureParametersException.class,
                () -> Compiler.compile(TestNetworks.convBnQuadPoolDense(1), CompileOptions.singleImage().withParameters(weak)));
        assertTrue(e.getMessage().contains("NONE_INSECURE") && e.getMessage().contains("CLASSICAL_128"), e.getMessage());
        // with the explicit opt-out in the options, the same parameters compile
        Compiler.compile(TestNetworks.convBnQuadPoolDense(1), CompileOptions.singleImage()
                .withSecurity(org.ciphernet.ckks.SecurityLevel.NONE_INSECURE).withParameters(weak));
    }

    @Test
    void parametersAreSecureAndJustDeepEnough() {
        HePlan p = Compiler.compile(TestNetworks.convBnQuadPoolDense(1), CompileOptions.singleImage());
        CkksParameters params = p.parameters();
        assertEquals(p.depth(), params.maxLevel());
        assertTrue(params.logQp() <= params.security().maxLogQp(params.logN()));
        assertEquals(org.ciphernet.ckks.SecurityLevel.CLASSICAL_128, params.security());
        assertTrue(DiagonalPlan.normalize(-1, 8) == -1 && DiagonalPlan.normalize(5, 8) == -3);
    }

    @Test
    void chosenParametersPassTheSecurityCheckAtEveryLevel() {
        // the chooser builds through CkksParameters' validation, so what it returns passes the check
        // (uniform ternary secret, sigma 3.2, log QP within the level's published bound, N >= 2^12)
        for (org.ciphernet.ckks.SecurityLevel level : List.of(org.ciphernet.ckks.SecurityLevel.CLASSICAL_128,
                org.ciphernet.ckks.SecurityLevel.CLASSICAL_192, org.ciphernet.ckks.SecurityLevel.CLASSICAL_256)) {
            int chosen = 0;
            for (boolean small : new boolean[] {false, true}) {
                CompileOptions o = small ? CompileOptions.singleImage().withSecurity(level).withScaleBits(24, 30).withSmallPrimes(true)
                        : CompileOptions.singleImage().withSecurity(level);
                for (int depth : new int[] {1, 2, 4, 8, 16, 24, 40}) {
                    for (int slots : new int[] {1, 4096, 32768}) {
                        CkksParameters p;
                        try {
                            p = ParameterChooser.choose(depth, slots, o);
                        } catch (NoSecureParametersException e) {
                            continue;
                        }
                        chosen++;
                        assertEquals(level, p.security());
                        assertEquals(org.ciphernet.ckks.SecretDistribution.UNIFORM_TERNARY, p.secret());
                        assertEquals(CkksParameters.DEFAULT_SIGMA, p.sigma());
                        assertTrue(p.logN() >= 12 && level.hasBound(p.logN()), "N = 2^" + p.logN());
                        assertTrue(p.logQp() <= level.maxLogQp(p.logN()), p.toString());
                        assertEquals(p, new CkksParameters(p.logN(), p.qBits(), p.pBits(), p.logScale(), p.secret(),
                                p.hammingWeight(), p.sigma(), p.security()));
                    }
                }
            }
            assertTrue(chosen > 0, level + ": some depth must fit");
        }
    }
}
