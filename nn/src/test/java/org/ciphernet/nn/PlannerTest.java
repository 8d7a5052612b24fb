package org.ciphernet.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.ciphernet.ckks.CkksParameters;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.Shape;
import org.ciphernet.nn.plan.Operation;
import org.ciphernet.nn.plan.PlanStep;
import org.ciphernet.nn.plan.RotationKeys;
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
    void skipsWithQuadraticsOfEitherSignCostNoLevel() {
        // stem conv, x²; b1: conv, x², conv, add, x²; b2: conv, x², add; dense: the 9 levels of the
        // network without skips (each quadratic's a moves before its square, a negative one leaving
        // a free negation; the skips are aligned on their own spare levels)
        HePlan p = Compiler.compile(TestNetworks.quadraticSkips(5), CompileOptions.singleImage());
        assertEquals(9, p.depth(), p.report().toString());
        assertTrue(p.report().rows().stream().anyMatch(r -> r.kind().equals("negate")), p.report().toString());
        assertEquals(9, Compiler.compile(TestNetworks.quadraticSkips(5), CompileOptions.batched()).depth());
    }

    @Test
    void keySetIsExactlyTheStepsThePlansUse() {
        HePlan p = Compiler.compile(TestNetworks.convBnQuadPoolDense(1), CompileOptions.singleImage());
        Set<Integer> used = new TreeSet<>();
        for (PlanStep s : p.steps()) {
            if (s.operation() instanceof Operation.DiagonalProduct d) {
                used.addAll(d.schedule().stepUses().keySet());
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
            for (PlanStep st : p.steps()) {
                if (!(st.operation() instanceof Operation.DiagonalProduct d)) {
                    continue;
                }
                for (int step : d.schedule().steps()) {
                    int sum = 0;
                    for (int s : k.compose(step)) {
                        assertTrue(k.has(s));
                        // each key is made for the highest level it is used at, and no higher
                        assertTrue(k.level(s) >= st.levelIn() && k.level(s) <= p.context().maxLevel(), "level of key " + s);
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
        assertTrue(RotationKeys.normalize(-1, 8) == -1 && RotationKeys.normalize(5, 8) == -3);
    }
}
