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
     * @param members an ensemble's members (absent for a trained model)
     * @param clusters with parameter clustering, the shared values per layer (0 without)
     */
    public record Model(String name, String architecture, String file, String dataset, int trainImages, int testImages,
            double plaintextAccuracy, int epochs, int seed, String command, String torch, List<String> members, int clusters) {
        /** The trained architecture (models of other seeds share it); the name when the manifest omits it. */
        @Override
        public String architecture() {
            return architecture == null ? name : architecture;
        }

        /** The members of an ensemble, or an empty list for a trained model. */
        @Override
        public List<String> members() {
            return members == null ? List.of() : members;
        }

        /** Whether this is an ensemble of trained models ({@link Manifest#model} makes one from {@code a+b+…}). */
        public boolean isEnsemble() {
            return !members().isEmpty();
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

    /**
     * The model with a name; {@code a+b+…} names the ensemble of trained models a, b, … (Chielle
     * et al. 2025), which must share a dataset: its file and command list the members', its
     * accuracy is the members' mean PyTorch accuracy (PyTorch never ran the ensemble).
     */
    public static Model model(List<Model> models, String name) {
        if (name.contains("+")) {
            List<Model> ms = java.util.Arrays.stream(name.split("\\+", -1)).map(n -> model(models, n)).toList();
            Model first = ms.get(0);
            for (Model m : ms) {
                if (!m.dataset().equals(first.dataset())) {
                    throw new IllegalArgumentException("ensemble " + name + " mixes datasets " + first.dataset() + " and " + m.dataset());
                }
            }
            return new Model(name, "ensemble of " + first.architecture(), String.join("+", ms.stream().map(Model::file).toList()),
                    first.dataset(), first.trainImages(), first.testImages(),
                    ms.stream().mapToDouble(Model::plaintextAccuracy).average().orElseThrow(), first.epochs(), 1,
                    String.join(" && ", ms.stream().map(Model::command).toList()), first.torch(), ms.stream().map(Model::name).toList(), 0);
        }
        return models.stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no model named '" + name + "' in the manifest; known: "
                        + models.stream().map(Model::name).toList()));
    }

    /** Whether a model (or every member of an ensemble {@code a+b+…}) is in the manifest. */
    public static boolean trained(List<Model> models, String name) {
        return java.util.Arrays.stream(name.split("\\+", -1)).allMatch(n -> models.stream().anyMatch(m -> m.name().equals(n)));
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
