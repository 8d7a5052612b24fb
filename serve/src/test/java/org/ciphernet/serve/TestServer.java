package org.ciphernet.serve;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ciphernet.nn.HePlan;

/**
 * A service in a process of its own, for the restart and crash tests: {@code TestServer <data>
 * <port file> <name>=<plan file>...} starts one with the test tenants and writes its port to the
 * port file once it listens; SIGTERM stops it gracefully, SIGKILL does not. The system property
 * {@value #CONCURRENT} sets its concurrent evaluations (default: one per core).
 */
public final class TestServer {
    /** The system property of the concurrent evaluations. */
    static final String CONCURRENT = "ciphernet.test.concurrent";

    private TestServer() {
    }

    public static void main(String[] args) throws Exception {
        ServeConfig.Builder b = ServeConfig.builder(Path.of(args[0]), Fixtures.tenants()).port(0);
        if (System.getProperty(CONCURRENT) != null) {
            b.evaluations(Integer.parseInt(System.getProperty(CONCURRENT)), 64);
        }
        for (int i = 2; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            b.model(kv[0], HePlan.fromBytes(Files.readAllBytes(Path.of(kv[1]))));
        }
        InferenceService service = InferenceService.start(b.build());
        Runtime.getRuntime().addShutdownHook(new Thread(service::close));
        Path tmp = Path.of(args[1] + ".tmp");
        Files.writeString(tmp, Integer.toString(service.port()));
        Files.move(tmp, Path.of(args[1]), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
