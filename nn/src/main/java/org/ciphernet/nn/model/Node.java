package org.ciphernet.nn.model;

import java.util.List;

/**
 * A named layer of a {@link Network}, its input nodes by name and its output shape.
 *
 * @param inputs names of the nodes it reads ({@link Network#INPUT} for the image)
 */
public record Node(String name, Layer layer, List<String> inputs, Shape shape) {
    /** Copies the input list. */
    public Node {
        inputs = List.copyOf(inputs);
    }
}
