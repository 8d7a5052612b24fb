package org.ciphernet.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.ciphernet.nn.model.ExampleNetworks;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.ReferenceEvaluator;
import org.junit.jupiter.api.Test;

class ValueRangesTest {
    @Test
    void integerBitsHoldTheMagnitudeWithItsSign() {
        assertEquals(1, ValueRanges.integerBits(0));
        assertEquals(1, ValueRanges.integerBits(0.75));
        for (double m : new double[] {1, 1.5, 26.6, 484, 511.9, 512, 1e6}) {
            int bits = ValueRanges.integerBits(m);
            assertTrue(m < Math.scalb(1.0, bits - 1), m + " in " + bits + " bits");
            assertTrue(m >= Math.scalb(1.0, bits - 3), m + " needs fewer than " + bits + " bits");
        }
    }

    @Test
    void theWidestLayerAndTheOutputAreTheLargestMagnitudesSeen() {
        Network net = ExampleNetworks.cryptoNets(3);
        ValueRanges.Builder b = new ValueRanges.Builder(net);
        SplittableRandom r = new SplittableRandom(7);
        double output = 0;
        double widest = 0;
        for (int i = 0; i < 5; i++) {
            double[] x = r.doubles(net.inputShape().size()).toArray();
            Map<String, double[]> all = ReferenceEvaluator.evaluateAll(net, x);
            b.add(all);
            for (double v : ReferenceEvaluator.evaluate(net, x)) {
                output = Math.max(output, Math.abs(v));
            }
            for (var e : all.entrySet()) {
                if (!e.getKey().equals(Network.INPUT) && !e.getKey().equals(net.output().name())) {
                    for (double v : e.getValue()) {
                        widest = Math.max(widest, Math.abs(v));
                    }
                }
            }
        }
        ValueRanges v = b.build();
        assertEquals(5, v.images());
        assertEquals(output, v.output());
        assertEquals(widest, v.widest());
        assertNotEquals(net.output().name(), v.widestLayer());
        assertTrue(net.nodes().stream().anyMatch(n -> n.name().equals(v.widestLayer())), v.widestLayer());
    }
}
