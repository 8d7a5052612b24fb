package org.ciphernet.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.ExampleNetworks;
import org.ciphernet.nn.model.Network;
import org.junit.jupiter.api.Test;

/** The ResNet-20-shaped network compiles to a 128-bit-secure plan with keys that fit in memory. */
class ResNetPlanTest {
    @Test
    void plansWithinBudget() {
        Network net = ExampleNetworks.resNet20Shaped(1);
        long t = System.nanoTime();
        HePlan plan = Compiler.compile(net, CompileOptions.singleImage());
        System.out.printf("compiled in %.1f s%n", (System.nanoTime() - t) / 1e9);
        System.out.println(plan.report());
        // stem conv + x², 9 blocks of two conv + x² pairs, then pooling fused with the dense layer
        assertEquals(2 + 9 * 4 + 1, plan.depth());
        assertEquals(16, plan.parameters().logN());
        assertTrue(plan.report().galoisKeyBytes() + plan.report().relinearizationKeyBytes() < 9L << 30,
                "evaluation keys must leave room in 16 GiB");
        // multiplexed layouts keep strided layers as cheap as the others (flat: up to 8,192 diagonals)
        for (PlanReport.Row r : plan.report().rows()) {
            assertTrue(r.plaintextProducts() <= 1024, r.layers() + ": " + r.plaintextProducts() + " diagonals");
        }
    }
}
