package org.ciphernet.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.ciphernet.nn.model.Shape;

/**
 * Test images with their labels: pixels scaled to [0, 1] (byte / 255, as the training scripts do),
 * flat in channel, row, column order.
 *
 * @param name where they came from
 * @param shape the shape of one image
 */
public record LabeledImages(String name, Shape shape, double[][] images, int[] labels) {
    /** Checks that there is one label per image. */
    public LabeledImages {
        if (images.length != labels.length) {
            throw new IllegalArgumentException(images.length + " images but " + labels.length + " labels");
        }
    }

    /** The number of images. */
    public int size() {
        return images.length;
    }

    /** The first {@code n} images (all of them if there are fewer). */
    public LabeledImages first(int n) {
        int k = Math.min(n, images.length);
        return new LabeledImages(name, shape, Arrays.copyOf(images, k), Arrays.copyOf(labels, k));
    }

    /**
     * Reads a pair of IDX files (the MNIST format: big-endian header, unsigned bytes), gzipped or
     * not: images of rank 3 (n × height × width) and labels of rank 1.
     */
    public static LabeledImages readIdx(String name, Path images, Path labels) throws IOException {
        ByteBuffer img = ByteBuffer.wrap(read(images));
        int[] id = header(img, images, 3);
        int[] y = readIdxLabels(labels);
        if (id[0] != y.length) {
            throw new IOException(images + " holds " + id[0] + " images but " + labels + " holds " + y.length + " labels");
        }
        double[][] x = pixels(img, id, images);
        return new LabeledImages(name, new Shape(1, id[1], id[2]), x, y);
    }

    /** Reads an IDX label file (rank 1, unsigned bytes), gzipped or not. */
    public static int[] readIdxLabels(Path labels) throws IOException {
        ByteBuffer lab = ByteBuffer.wrap(read(labels));
        int[] ld = header(lab, labels, 1);
        if (lab.remaining() != ld[0]) {
            throw new IOException("IDX data of " + labels + " does not match its header");
        }
        int[] y = new int[ld[0]];
        for (int i = 0; i < y.length; i++) {
            y[i] = Byte.toUnsignedInt(lab.get());
        }
        return y;
    }

    /** Reads an IDX image file without labels (every label is −1, meaning unknown). */
    public static LabeledImages readIdxUnlabelled(String name, Path images) throws IOException {
        ByteBuffer img = ByteBuffer.wrap(read(images));
        int[] id = header(img, images, 3);
        double[][] x = pixels(img, id, images);
        int[] y = new int[id[0]];
        Arrays.fill(y, -1);
        return new LabeledImages(name, new Shape(1, id[1], id[2]), x, y);
    }

    /** The images after the header, scaled to [0, 1]; the byte count must match the header. */
    private static double[][] pixels(ByteBuffer img, int[] id, Path p) throws IOException {
        int pixels = id[1] * id[2];
        if (img.remaining() != (long) id[0] * pixels) {
            throw new IOException("IDX data of " + p + " does not match its header");
        }
        double[][] x = new double[id[0]][pixels];
        for (int i = 0; i < id[0]; i++) {
            for (int q = 0; q < pixels; q++) {
                x[i][q] = Byte.toUnsignedInt(img.get()) / 255.0;
            }
        }
        return x;
    }

    private static byte[] read(Path p) throws IOException {
        if (!p.toString().endsWith(".gz")) {
            return Files.readAllBytes(p);
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    private static int[] header(ByteBuffer b, Path p, int rank) throws IOException {
        if (b.remaining() < 4 + 4 * rank || b.getShort() != 0 || b.get() != 0x08 || b.get() != rank) {
            throw new IOException(p + " is not an unsigned-byte IDX file of rank " + rank);
        }
        int[] d = new int[rank];
        for (int i = 0; i < rank; i++) {
            d[i] = b.getInt();
            if (d[i] < 0 || d[i] > 1 << 20) {
                throw new IOException(p + ": dimension " + d[i] + " is out of range");
            }
        }
        return d;
    }
}
