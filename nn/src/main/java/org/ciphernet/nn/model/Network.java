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
    private final List<Network> members;

    private Network(String name, Shape inputShape, List<Node> nodes, List<Network> members) {
        this.name = name;
        this.inputShape = inputShape;
        this.nodes = List.copyOf(nodes);
        this.members = List.copyOf(members);
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

    /**
     * An ensemble (Chielle et al. 2025): the mean of the members' outputs, each member reading the
     * same image. As a graph, every member's nodes appear under the prefix {@code m<j>:} and a
     * final {@link Dense} named {@value #ENSEMBLE_MEAN} averages their outputs, so the plaintext
     * evaluation is the ensemble's; the compiler sees {@link #members()} and places the members
     * side by side in the slots of the same ciphertexts, where one member would leave slots free.
     *
     * @param members at least two networks over one input shape with outputs of one size, none an
     *     ensemble itself
     * @throws IllegalArgumentException if the members do not fit together
     */
    public static Network ensemble(String name, List<Network> members) {
        Objects.requireNonNull(name, "name");
        List<Network> ms = List.copyOf(members);
        if (ms.size() < 2) {
            throw new IllegalArgumentException("an ensemble needs at least two members, got " + ms.size());
        }
        Network first = ms.get(0);
        int outputs = first.output().shape().size();
        Builder b = new Builder(name, first.inputShape);
        String[] outs = new String[ms.size()];
        for (int j = 0; j < ms.size(); j++) {
            Network m = ms.get(j);
            if (!m.members.isEmpty()) {
                throw new IllegalArgumentException("ensemble member " + j + " (" + m.name + ") is an ensemble itself");
            }
            if (!m.inputShape.equals(first.inputShape) || m.output().shape().size() != outputs) {
                throw new IllegalArgumentException("ensemble member " + j + " (" + m.name + ") reads " + m.inputShape + " and gives "
                        + m.output().shape().size() + " outputs, but member 0 (" + first.name + ") reads " + first.inputShape
                        + " and gives " + outputs);
            }
            String prefix = "m" + j + ":";
            for (Node n : m.nodes) {
                String[] in = n.inputs().stream().map(i -> INPUT.equals(i) ? INPUT : prefix + i).toArray(String[]::new);
                b.layer(prefix + n.name(), n.layer(), in);
            }
            outs[j] = prefix + m.output().name();
        }
        String sum = outs[0];
        for (int j = 1; j < outs.length; j++) {
            String next = j == outs.length - 1 ? ENSEMBLE_SUM : ENSEMBLE_SUM + j;
            b.add(next, sum, outs[j]);
            sum = next;
        }
        double[] mean = new double[outputs * outputs];
        for (int c = 0; c < outputs; c++) {
            mean[c * outputs + c] = 1.0 / ms.size();
        }
        b.layer(ENSEMBLE_MEAN, new Dense(outputs, outputs, mean, new double[outputs]), sum);
        return new Network(name, first.inputShape, b.nodes, ms);
    }

    /** The name of an ensemble's last node, the mean of its members' outputs. */
    public static final String ENSEMBLE_MEAN = "ensemble.mean";

    /** The name of the sum of an ensemble's members' outputs (with a number for partial sums). */
    private static final String ENSEMBLE_SUM = "ensemble.sum";

    /** An ensemble's members, in order; empty for any other network. */
    public List<Network> members() {
        return members;
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
            return new Network(name, inputShape, nodes, List.of());
        }
    }
}
