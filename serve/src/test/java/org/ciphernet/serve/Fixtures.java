package org.ciphernet.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.ciphernet.harness.Datasets;
import org.ciphernet.harness.Harness;
import org.ciphernet.harness.LabeledImages;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.ReferenceEvaluator;
import org.ciphernet.nn.onnx.OnnxImporter;

/** Trained models of the repository, compiled, with their test images and plaintext classes. */
final class Fixtures {
    static final Path TESTDATA = Path.of("..", "testdata");
    static final String TOKEN_A = "token-of-tenant-a-0123456789";
    static final String TOKEN_B = "token-of-tenant-b-0123456789";
    static final String TOKEN_C = "token-of-tenant-c-0123456789";

    private Fixtures() {
    }

    /** A model of the repository and its test set. */
    record Model(String name, Network net, HePlan plan, LabeledImages test) {
        int plainClass(int image) {
            return Harness.argmax(ReferenceEvaluator.evaluate(net, test.images()[image]));
        }
    }

    static Model model(String name, String dataset, CompileOptions options) {
        try {
            Network net = OnnxImporter.read(TESTDATA.resolve("models").resolve(name + ".onnx"));
            return new Model(name, net, Compiler.compile(net, options.withInputRange(0, 1)), Datasets.test(dataset, TESTDATA));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Tenants tenants() {
        return Tenants.parse(List.of("# test tenants", TOKEN_A + " alice", TOKEN_B + " bob", TOKEN_C + " carol"), "test tokens");
    }
}
