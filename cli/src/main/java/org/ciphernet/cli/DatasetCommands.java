package org.ciphernet.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ciphernet.ckks.CkksException;
import org.ciphernet.harness.Datasets;
import org.ciphernet.harness.Harness;
import org.ciphernet.harness.LabeledImages;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.HeClient;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.InputRange;
import org.ciphernet.nn.Mode;
import org.ciphernet.spark.DatasetException;
import org.ciphernet.spark.EncryptedDataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ciphernet client encrypt-dataset|decrypt-dataset}: the data owner's side of a Spark job
 * ({@code ciphernet spark}): many images encrypted into a folder of records, and the folder of
 * answers decrypted into predictions (and the accuracy, given labels). The secret key never leaves
 * the client's folder.
 */
final class DatasetCommands {
    private DatasetCommands() {
    }

    @Command(name = "encrypt-dataset", mixinStandardHelpOptions = true,
            description = {"Encrypts many images into a folder of records (<id>.ct) for 'ciphernet spark'.",
                "Each record holds as many images as one evaluation serves (one for a single-image plan, up to",
                "--images-per-record for a batched or packed plan); its id is the index of its first image."})
    static final class Encrypt implements Callable<Integer> {
        @Mixin
        ClientCommand.Common common;

        @Mixin
        ImageSource source;

        @Option(names = "--count", description = "encrypt only the first K images (default: all)")
        Integer count;

        @Option(names = "--images-per-record", description = "with a batched or packed plan: images per record "
                + "(default: as many as the plan's ciphertexts hold)")
        Integer perRecord;

        @Option(names = "--out", required = true, description = "folder of encrypted records to create (new or empty)")
        Path out;

        @Option(names = "--clip", description = "clip values outside the model's input range (with a warning) instead of refusing")
        boolean clip;

        @Override
        public Integer call() throws IOException {
            HePlan plan = common.plan();
            LabeledImages images = source.load();
            int n = count == null ? images.size() : count;
            if (n < 1 || n > images.size()) {
                throw new UserError("--count " + n + ": the images hold " + images.size() + " (give 1 to " + images.size() + ")");
            }
            int capacity = plan.mode() == Mode.SINGLE_IMAGE ? 1 : plan.mode() == Mode.BATCHED ? plan.context().slots()
                    : plan.imagesPerCiphertext();
            int per = perRecord == null ? capacity : perRecord;
            if (per < 1 || per > capacity) {
                throw new UserError("--images-per-record " + per + ": a record of this " + plan.mode() + " plan holds 1 to " + capacity
                        + " images");
            }
            EncryptedDataset dataset;
            try {
                dataset = EncryptedDataset.create(out, true);
            } catch (DatasetException e) {
                throw new UserError(e.getMessage(), e);
            }
            HeClient client = common.restore(plan);
            HeClient.OutOfRange policy = clip ? HeClient.OutOfRange.CLIP : HeClient.OutOfRange.REFUSE;
            warnOutOfRange(images, n, plan.clientSpec().inputRange(), clip);
            BarProgress bar = new BarProgress();
            int records = (n + per - 1) / per;
            bar.start("encrypting " + n + " images into " + records + " records", records);
            long bytes = 0;
            for (int from = 0; from < n; from += per) {
                int k = Math.min(per, n - from);
                EncryptedTensor query;
                try {
                    query = plan.mode() == Mode.SINGLE_IMAGE ? client.encrypt(images.images()[from], policy)
                            : client.encryptBatch(Arrays.copyOfRange(images.images(), from, from + k), policy);
                } catch (IllegalArgumentException e) {
                    bar.finish();
                    throw new UserError("image " + from + (k > 1 ? " to " + (from + k - 1) : "") + ": " + e.getMessage(), e);
                }
                byte[] b = query.toBytes(client.serialization());
                dataset.write(EncryptedDataset.idOfImage(from), b);
                bytes += b.length;
                bar.advance();
            }
            bar.finish();
            System.out.printf(Locale.ROOT, "wrote %d records (%d images, %.1f MiB) to %s for plan %s, key id %s%n", records, n,
                    bytes / 1048576.0, out, plan.fingerprintHex(), client.keyId());
            System.out.println("evaluate them with: ./ciphernet spark " + common.source.option() + " --keys "
                    + common.dir.resolve(ClientCommand.EVALUATION) + " --in " + out + " --out ANSWERS");
            return 0;
        }

        private static void warnOutOfRange(LabeledImages images, int n, InputRange range, boolean clip) {
            if (!clip) {
                return;
            }
            long outside = 0;
            for (int i = 0; i < n; i++) {
                outside += Arrays.stream(images.images()[i]).filter(v -> !range.contains(v)).count();
            }
            if (outside > 0) {
                System.err.println("warning: " + outside + " values are outside the input range " + range + " and were clipped");
            }
        }
    }

    @Command(name = "decrypt-dataset", mixinStandardHelpOptions = true,
            description = {"Decrypts a folder of answers written by 'ciphernet spark': one prediction per image (CSV:",
                "id,image,class[,label]) and, with labels, the accuracy. Records named by the index of their",
                "first image (as encrypt-dataset names them) are matched with the labels."})
    static final class Decrypt implements Callable<Integer> {
        @Mixin
        ClientCommand.Common common;

        @Option(names = "--in", required = true, description = "the folder of answers")
        Path in;

        @Option(names = "--labels", description = "IDX label file of the encrypted images")
        Path labels;

        @Option(names = "--dataset", description = "instead of --labels: the test set the images came from (mnist or fashion-mnist)")
        String dataset;

        @Option(names = "--predictions", description = "write the predictions to this CSV file instead of standard output")
        Path predictions;

        @Override
        public Integer call() throws IOException {
            if (labels != null && dataset != null) {
                throw new UserError("give --labels or --dataset, not both");
            }
            HePlan plan = common.plan();
            EncryptedDataset answers;
            try {
                answers = EncryptedDataset.open(in);
            } catch (DatasetException e) {
                throw new UserError(e.getMessage(), e);
            }
            List<String> ids = answers.ids();
            if (ids.isEmpty()) {
                throw new UserError("answers " + in + ": holds no records (*" + EncryptedDataset.SUFFIX + " files)");
            }
            int[] truth = labels();
            HeClient client = common.restore(plan);
            BarProgress bar = new BarProgress();
            bar.start("decrypting " + ids.size() + " records", ids.size());
            int images = 0;
            int labelled = 0;
            int correct = 0;
            try (PrintStream csv = predictions == null ? null : new PrintStream(Files.newOutputStream(predictions), false, "UTF-8")) {
                PrintStream to = csv == null ? System.out : csv;
                to.println(truth == null ? "id,image,class" : "id,image,class,label");
                for (String id : ids) {
                    double[][] logits = decrypt(client, plan, answers, id);
                    int first = truth == null ? -1 : firstImage(id);
                    for (int b = 0; b < logits.length; b++) {
                        int cls = Harness.argmax(logits[b]);
                        images++;
                        if (truth != null) {
                            int i = first + b;
                            if (i >= truth.length) {
                                bar.finish();
                                throw new UserError("answer " + answers.file(id) + ": image " + i + " has no label (the labels hold "
                                        + truth.length + ")");
                            }
                            labelled++;
                            correct += cls == truth[i] ? 1 : 0;
                            to.println(id + "," + i + "," + cls + "," + truth[i]);
                        } else {
                            to.println(id + "," + b + "," + cls);
                        }
                    }
                    bar.advance();
                }
            } catch (UncheckedIOException e) {
                throw new UserError("predictions " + predictions + ": cannot be written (" + e.getMessage() + ")", e);
            }
            bar.finish();
            System.err.printf(Locale.ROOT, "%d images in %d records%s%s%n", images, ids.size(),
                    truth == null ? "" : String.format(Locale.ROOT, ", accuracy %.2f %% (%d of %d)", 100.0 * correct / labelled,
                            correct, labelled), predictions == null ? "" : "; predictions in " + predictions);
            return 0;
        }

        private int[] labels() throws IOException {
            if (dataset != null) {
                return Datasets.test(dataset, Home.testdata()).labels();
            }
            if (labels == null) {
                return null;
            }
            CliFiles.requireReadable(labels, "labels");
            try {
                return LabeledImages.readIdxLabels(labels);
            } catch (IOException | RuntimeException e) {
                throw new UserError("labels " + labels + ": not a readable IDX label file (" + e.getMessage() + ")", e);
            }
        }

        private static int firstImage(String id) {
            try {
                return Integer.parseInt(id);
            } catch (NumberFormatException e) {
                throw new UserError("record id '" + id + "' is not an image index: only records named as encrypt-dataset names "
                        + "them can be matched with labels (decrypt without --labels/--dataset)");
            }
        }

        private static double[][] decrypt(HeClient client, HePlan plan, EncryptedDataset answers, String id) {
            Path file = answers.file(id);
            try {
                EncryptedTensor answer = EncryptedTensor.fromBytes(answers.read(id), client.serialization());
                return plan.mode() == Mode.SINGLE_IMAGE ? new double[][] {client.decrypt(answer)} : client.decryptBatch(answer);
            } catch (CkksException | IllegalArgumentException | DatasetException e) {
                throw new UserError("answer " + file + ": " + e.getMessage(), e);
            }
        }
    }
}
