package org.ciphernet.nn.plan;

import java.util.Objects;

/**
 * Where a step's output equals the output of a model layer: the layer's name and the slot (single
 * image) or ciphertext (batched) holding each element of that layer's output, in flat C×H×W order.
 * Used to decrypt and check intermediate values (tests, the harness) and to find the network's
 * outputs.
 *
 * @param layer the model layer
 * @param slots per element of the layer's output, its slot or ciphertext
 * @param layout a short description of the layout, for reports ("flat", "multiplexed gap 2", …)
 */
public record Tap(String layer, int[] slots, String layout) {
    /** Copies the slots. */
    public Tap {
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(layout, "layout");
        slots = slots.clone();
    }

    @Override
    public int[] slots() {
        return slots.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tap t && t.layer.equals(layer) && java.util.Arrays.equals(t.slots, slots) && t.layout.equals(layout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(layer, java.util.Arrays.hashCode(slots), layout);
    }

    @Override
    public String toString() {
        return "Tap[" + layer + ", " + slots.length + " values, " + layout + "]";
    }
}
