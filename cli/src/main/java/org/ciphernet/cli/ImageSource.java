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
            throw new UserError("give --images FILE (and optionally --labels FILE) or --dataset mnist|fashion-mnist");
        }
        CliFiles.requireReadable(images, "images");
        if (labels != null) {
            CliFiles.requireReadable(labels, "labels");
        }
        try {
            return labels != null ? LabeledImages.readIdx(images.toString(), images, labels)
                    : LabeledImages.readIdxUnlabelled(images.toString(), images);
        } catch (IOException | RuntimeException e) {
            throw new UserError("images " + images + (labels != null ? " with labels " + labels : "") + ": not a readable IDX file ("
                    + e.getMessage() + ")", e);
        }
    }
}
