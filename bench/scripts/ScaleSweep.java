import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.ciphernet.harness.Datasets;
import org.ciphernet.harness.Harness;
import org.ciphernet.harness.LabeledImages;
import org.ciphernet.harness.Manifest;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.Inference;
import org.ciphernet.nn.PlanReport;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.ReferenceEvaluator;
import org.ciphernet.nn.onnx.OnnxImporter;

/**
 * The precision a model keeps at lower scales, for the tower-reuse evaluation (issue 17): a tower
 * prime absorbs two rescalings and is twice the scale's bits, so on our vector path (primes below
 * 2^50) it needs a scale of at most 2^25. Compiles a model of the manifest at its default scale and
 * at the given ones, runs its first n test images encrypted (one batch, or one by one) and prints
 * the parameters, key memory, the largest logit error and the agreement with the plaintext model.
 *
 * <pre>{@code
 * ./ciphernet selfcheck >/dev/null   # builds cli/target/modules (the class path: Spark's jars there are not modules)
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -Xmx16g --add-modules jdk.incubator.vector \
 *     -cp "cli/target/modules/*" bench/scripts/ScaleSweep.java cryptonets batched 512 0 25 24
 * }</pre>
 *
 * Arguments: model, {@code batched} or {@code single}, images, then scales in bits (0 = the default).
 */
public class ScaleSweep {
    public static void main(String[] a) throws Exception {
        Path testdata = Path.of("testdata");
        String name = a[0];
        boolean batched = a[1].equals("batched");
        int n = Integer.parseInt(a[2]);
        Manifest.Model m = Manifest.model(Manifest.models(testdata), name);
        Network net = OnnxImporter.read(testdata.resolve("models").resolve(m.file()));
        LabeledImages test = Datasets.test(m.dataset(), testdata);
        double[][] images = Arrays.copyOf(test.images(), n);
        for (int i = 3; i < a.length; i++) {
            int scale = Integer.parseInt(a[i]);
            CompileOptions o = batched ? CompileOptions.batched() : CompileOptions.singleImage();
            if (scale > 0) {
                o = o.withScaleBits(scale, scale);
            }
            HePlan plan;
            try {
                plan = Compiler.compile(net, o);
            } catch (RuntimeException e) {
                System.out.println(name + " scale " + scale + ": " + e.getMessage());
                continue;
            }
            PlanReport r = plan.report();
            double worst = 0;
            int agree = 0;
            double millis = 0;
            try (Inference inference = Inference.start(plan, 2)) {
                double[][] out = new double[n][];
                if (batched) {
                    Inference.Result res = inference.batch(images);
                    out = res.outputs();
                    millis = res.serverMillis();
                } else {
                    for (int k = 0; k < n; k++) {
                        Inference.Result res = inference.single(images[k]);
                        out[k] = res.outputs()[0];
                        millis += res.serverMillis();
                    }
                }
                for (int k = 0; k < n; k++) {
                    double[] want = ReferenceEvaluator.evaluate(net, images[k]);
                    for (int c = 0; c < want.length; c++) {
                        worst = Math.max(worst, Math.abs(want[c] - out[k][c]));
                    }
                    agree += Harness.argmax(want) == Harness.argmax(out[k]) ? 1 : 0;
                }
            }
            System.out.printf(Locale.ROOT, "%s %s scale %d: %s | keys %.1f MiB | server %.0f ms for %d images | max logit error %.3g | "
                    + "agreement %d/%d%n", name, a[1], scale, r.parameters(), (r.galoisKeyBytes() + r.relinearizationKeyBytes()) / 1048576.0,
                    millis, n, worst, agree, n);
        }
    }
}
