package org.ciphernet.nn.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable graph of layers over one input image, in topological order; the last node is the
 * output. Built with {@link #builder}: each layer reads the previous one unless inputs are named,
 * which is how skip connections (including shared-source skips that reuse one stored tensor in
 * several {@link Add}s) are written:
 *
 * <pre>{@code
 * Network net = Network.builder("tiny", new Shape(1, 8, 8))
 *         .layer("conv", Conv2d.of(1, 2, 3, 1, 1, w, b))
 *         .layer("act", new Square())
 *         .layer("conv2", Conv2d.of(2, 2, 3, 1, 1, w2, b2))
 *         .add("skip", "conv2", "conv")      // adds a stored earlier tensor
 *         .layer("flat", new Flatten())
 *         .layer("fc", new Dense(128, 10, w3, b3))
 *         .build();
 * }</pre>
 */
public final class Network {
    /** The name by which layers refer to the input image. */
    public static final String INPUT = "input";

    private final String name;
    private final Shape inputShape;
    private final List<Node> nodes;
    private final Map<String, Node> byName;

    private Network(String name, Shape inputShape, List<Node> nodes) {
        this.name = name;
        this.inputShape = inputShape;
        this.nodes = List.copyOf(nodes);
        Map<String, Node> m = new LinkedHashMap<>();
        for (Node n : nodes) {
            m.put(n.name(), n);
        }
        this.byName = Collections.unmodifiableMap(m);
    }

    /** Starts a network over inputs of the given shape. */
    public static Builder builder(String name, Shape inputShape) {
        return new Builder(name, inputShape);
    }

    /** The network's name. */
    public String name() {
        return name;
    }

    /** The shape of the input image. */
    public Shape inputShape() {
        return inputShape;
    }

    /** The nodes in topological order. */
    public List<Node> nodes() {
        return nodes;
    }

    /** The node with a name. */
    public Node node(String nodeName) {
        Node n = byName.get(nodeName);
        if (n == null) {
            throw new IllegalArgumentException("no node named '" + nodeName + "' in " + name);
        }
        return n;
    }

    /** The output node (the last one). */
    public Node output() {
        return nodes.get(nodes.size() - 1);
    }

    /** The shape of a node's output, or of the input for {@link #INPUT}. */
    public Shape shapeOf(String nodeName) {
        return INPUT.equals(nodeName) ? inputShape : node(nodeName).shape();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name + " (input " + inputShape + ")\n");
        for (Node n : nodes) {
            sb.append(String.format("  %-14s %-40s <- %-24s %s%n", n.name(), n.layer(), String.join(", ", n.inputs()), n.shape()));
        }
        return sb.toString();
    }

    /** Builds a {@link Network}, inferring and checking shapes as layers are added. */
    public static final class Builder {
        private final String name;
        private final Shape inputShape;
        private final List<Node> nodes = new ArrayList<>();
        private final Map<String, Shape> shapes = new LinkedHashMap<>();
        private String last = INPUT;

        private Builder(String name, Shape inputShape) {
            this.name = Objects.requireNonNull(name, "name");
            this.inputShape = Objects.requireNonNull(inputShape, "input shape");
            shapes.put(INPUT, inputShape);
        }

        /** Appends a layer reading the previous layer (or the input for the first). */
        public Builder layer(String nodeName, Layer layer) {
            return layer(nodeName, layer, last);
        }

        /** Appends a layer reading the named nodes. */
        public Builder layer(String nodeName, Layer layer, String... inputs) {
            Objects.requireNonNull(layer, "layer");
            if (shapes.containsKey(Objects.requireNonNull(nodeName, "node name"))) {
                throw new IllegalArgumentException("duplicate node name '" + nodeName + "'");
            }
            if (layer instanceof Unsupported u) {
                throw new UnsupportedLayerException(u.opType(), nodeName, u.replacement());
            }
            if (inputs.length != layer.arity()) {
                throw new IllegalArgumentException("layer '" + nodeName + "' (" + layer.kind() + ") takes " + layer.arity()
                        + " input(s), got " + inputs.length);
            }
            Shape[] in = new Shape[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                in[i] = shapes.get(inputs[i]);
                if (in[i] == null) {
                    throw new IllegalArgumentException("layer '" + nodeName + "' reads unknown node '" + inputs[i] + "'");
                }
            }
            Shape out;
            try {
                out = layer.outputShape(in);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layer '" + nodeName + "': " + e.getMessage(), e);
            }
            nodes.add(new Node(nodeName, layer, List.of(inputs), out));
            shapes.put(nodeName, out);
            last = nodeName;
            return this;
        }

        /** Appends an {@link Add} of two named nodes. */
        public Builder add(String nodeName, String a, String b) {
            return layer(nodeName, new Add(), a, b);
        }

        /** The shape of a node added so far (or of {@link #INPUT}). */
        public Shape shapeOf(String nodeName) {
            Shape s = shapes.get(nodeName);
            if (s == null) {
                throw new IllegalArgumentException("no node named '" + nodeName + "' yet in " + name);
            }
            return s;
        }

        /** The network; its output is the last layer added. */
        public Network build() {
            if (nodes.isEmpty()) {
                throw new IllegalStateException("a network needs at least one layer");
            }
            return new Network(name, inputShape, nodes);
        }
    }
}
