import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ciphernet.ckks.Serialization;
import org.ciphernet.nn.EvaluationKeys;
import org.ciphernet.nn.HeClient;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.onnx.OnnxImporter;

/**
 * Heap allocated and time taken by loading one model's evaluation keys from a file: read into a
 * {@code byte[]} and parsed ({@code EvaluationKeys.fromBytes}), against mapped and parsed in place
 * ({@code EvaluationKeys.read(Path)}), four rounds each, after a {@code System.gc()}.
 *
 * <pre>{@code
 * ./ciphernet selfcheck >/dev/null    # builds cli/target/modules
 * java -Xmx16g --add-modules jdk.incubator.vector -cp "cli/target/modules/*" bench/scripts/KeyLoad.java testdata/models/cryptonets.onnx
 * }</pre>
 */
public class KeyLoad {
    public static void main(String[] args) throws Exception {
        HePlan plan = Compiler.compile(OnnxImporter.read(Path.of(args[0])), CompileOptions.singleImage());
        HeClient client = HeClient.create(plan.clientSpec(), plan.context());
        Serialization ser = client.serialization();
        Path file = Files.createTempFile("keys", ".keys");
        try {
            Files.write(file, client.evaluationKeys().toBytes(ser));
            System.out.printf("%s: key file %.1f MiB, parsed %.1f MiB%n", args[0], Files.size(file) / 1048576.0,
                    client.evaluationKeys().sizeInBytes() / 1048576.0);
            var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            for (int round = 0; round < 4; round++) {
                for (boolean mapped : new boolean[] {false, true}) {
                    System.gc();
                    long a0 = mx.getCurrentThreadAllocatedBytes();
                    long t0 = System.nanoTime();
                    EvaluationKeys k = mapped ? EvaluationKeys.read(file, ser) : EvaluationKeys.fromBytes(Files.readAllBytes(file), ser);
                    long t1 = System.nanoTime();
                    long a1 = mx.getCurrentThreadAllocatedBytes();
                    System.out.printf("  %-24s %6.0f ms  %7.1f MiB allocated (%d Galois keys)%n",
                            mapped ? "read(Path), mapped" : "readAllBytes + fromBytes", (t1 - t0) / 1e6, (a1 - a0) / 1048576.0,
                            k.galois().steps().size());
                }
            }
        } finally {
            Files.delete(file);
        }
    }
}
