package org.ciphernet.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.ciphernet.harness.Datasets;
import org.ciphernet.harness.LabeledImages;
import picocli.CommandLine.Option;

/** Where images come from: an IDX file (with optional labels) or a named test set. */
final class ImageSource {
    @Option(names = "--images", description = "IDX image file (.gz or not), 28x28 greyscale like MNIST")
    Path images;

    @Option(names = "--labels", description = "IDX label file matching --images (optional)")
    Path labels;

    @Option(names = "--dataset", description = "a test set instead of --images: mnist or fashion-mnist")
    String dataset;

    LabeledImages load() throws IOException {
        if (dataset != null) {
            return Datasets.test(dataset, Home.testdata());
        }
        if (images == null) {
            throw new IllegalArgumentException("give --images FILE (and optionally --labels FILE) or --dataset mnist|fashion-mnist");
        }
        if (labels != null) {
            return LabeledImages.readIdx(images.toString(), images, labels);
        }
        return LabeledImages.readIdxUnlabelled(images.toString(), images);
    }
}
