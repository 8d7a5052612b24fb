package org.ciphernet.harness;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The model zoo ({@code testdata/models/manifest.json}, written by the training scripts) and the
 * harness cases ({@code testdata/harness/cases.json}: which models form which table).
 */
public final class Manifest {
    private Manifest() {
    }

    /**
     * One trained model.
     *
     * @param architecture the architecture trained (the seed-1 model's name; other seeds are named
     *     {@code <architecture>-seed<S>})
     * @param plaintextAccuracy PyTorch's float32 accuracy on the whole test set, as recorded at training
     * @param command the command that trained it
     */
    public record Model(String name, String architecture, String file, String dataset, int trainImages, int testImages,
            double plaintextAccuracy, int epochs, int seed, String command, String torch) {
        /** The trained architecture (models of other seeds share it); the name when the manifest omits it. */
        @Override
        public String architecture() {
            return architecture == null ? name : architecture;
        }
    }

    /** A table of the report: a title, the question it answers, and its models in order. */
    public record Table(String id, String title, String question, List<String> models) {
    }

    private record Models(List<Model> models) {
    }

    private record Cases(List<Table> tables) {
    }

    /** The models of {@code testdata/models/manifest.json}. */
    public static List<Model> models(Path testdata) throws IOException {
        return read(testdata.resolve("models/manifest.json"), Models.class).models();
    }

    /** The tables of {@code testdata/harness/cases.json}. */
    public static List<Table> tables(Path testdata) throws IOException {
        return read(testdata.resolve("harness/cases.json"), Cases.class).tables();
    }

    /** The model with a name. */
    public static Model model(List<Model> models, String name) {
        return models.stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no model named '" + name + "' in the manifest; known: "
                        + models.stream().map(Model::name).toList()));
    }

    private static <T> T read(Path p, Class<T> type) throws IOException {
        try {
            T t = new Gson().fromJson(Files.readString(p), type);
            if (t == null) {
                throw new IOException(p + " is empty");
            }
            return t;
        } catch (JsonParseException e) {
            throw new IOException(p + " is not a valid manifest: " + e.getMessage(), e);
        }
    }
}
