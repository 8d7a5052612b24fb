package org.ciphernet.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.ciphernet.ntt.Backend;
import org.ciphernet.ntt.LimbOps;
import org.ciphernet.ntt.Modulus;
import org.ciphernet.ntt.Ntt;
import org.ciphernet.ntt.Primes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ciphernet selfcheck}: NTT round trips on every ring degree and several prime sizes,
 * scalar/vector agreement, and rough timings. Exit code 1 if any check fails.
 */
@Command(name = "selfcheck", mixinStandardHelpOptions = true,
        description = {"Checks the arithmetic core on this machine: NTT round trips for every ring degree,",
            "scalar and Vector-API backends agreeing bit for bit, and rough timings",
            "(for measured numbers use the JMH benchmarks in bench/)."})
final class SelfCheckCommand implements Callable<Integer> {
    @Option(names = "--min-log-n", defaultValue = "10", description = "smallest log2 N (default ${DEFAULT-VALUE})")
    int minLogN;

    @Option(names = "--max-log-n", defaultValue = "17", description = "largest log2 N (default ${DEFAULT-VALUE})")
    int maxLogN;

    @Option(names = "--seconds", defaultValue = "0.25",
            description = "time spent per timing, after warm-up (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--seed", description = "random seed for the test data (default: fixed 2026)", defaultValue = "2026")
    long seed;

    private static final int[] PRIME_BITS = {30, 40, 50, 61};

    @Override
    public Integer call() {
        PrintStream out = System.out;
        if (minLogN < 1 || maxLogN > 17 || minLogN > maxLogN) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "log2 N must satisfy 1 <= min <= max <= 17, got " + minLogN + ".." + maxLogN);
        }
        out.printf("Ciphernet self-check on %s %s, %d cores%n", System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + Runtime.version(), Runtime.getRuntime().availableProcessors());
        out.printf("Preferred backend: %s (vector available: %s)%n%n", Backend.preferred(), Backend.VECTOR.isAvailable());
        List<Backend> backends = Backend.VECTOR.isAvailable() ? List.of(Backend.SCALAR, Backend.VECTOR) : List.of(Backend.SCALAR);
        SplittableRandom rnd = new SplittableRandom(seed);
        out.printf("Warming up the JIT (about %.0f s) ...%n", 8 * seconds);
        warmUp(backends);
        int failures = 0;
        out.printf("%-6s %-5s %-20s %-9s %-9s %12s %12s%n", "logN", "bits", "prime", "roundtrip", "agree",
                "scalar µs", "vector µs");
        for (int logN = minLogN; logN <= maxLogN; logN++) {
            int n = 1 << logN;
            for (int bits : PRIME_BITS) {
                if (2L * n >= (1L << (bits - 1))) {
                    continue;
                }
                long q = Primes.generate(bits, n, 1, List.of()).get(0);
                Modulus m = Modulus.of(q);
                long[] input = new long[n];
                for (int i = 0; i < n; i++) {
                    input[i] = rnd.nextLong(q);
                }
                boolean roundTrip = true;
                long[] reference = null;
                boolean agree = true;
                double[] micros = new double[2];
                Arrays.fill(micros, Double.NaN);
                for (Backend b : backends) {
                    Ntt ntt = Ntt.of(n, m, b);
                    long[] a = input.clone();
                    ntt.forward(a);
                    if (reference == null) {
                        reference = a.clone();
                    } else {
                        agree &= Arrays.equals(reference, a);
                    }
                    // the product of x and 1 (all ones in the NTT domain) must give x back
                    LimbOps.of(m, b).multiply(a, onesLike(n), a);
                    ntt.inverse(a);
                    roundTrip &= Arrays.equals(input, a);
                    micros[b.ordinal()] = time(ntt, input);
                }
                boolean ok = roundTrip && agree;
                failures += ok ? 0 : 1;
                out.printf("%-6d %-5d %-20d %-9s %-9s %12s %12s%n", logN, bits, q, roundTrip ? "ok" : "FAIL",
                        backends.size() < 2 ? "n/a" : agree ? "ok" : "FAIL", fmt(micros[0]), fmt(micros[1]));
            }
        }
        out.println();
        out.println(failures == 0 ? "selfcheck: all checks passed" : "selfcheck: " + failures + " check(s) FAILED");
        return failures == 0 ? 0 : 1;
    }

    /**
     * Vector code runs 10–300× slower until C2 has compiled it; the compiled stage loops are shared
     * by every size, so one warm-up on a mid-size ring with a 40- and a 50-bit prime (both stage
     * variants, with and without reductions) serves all timings.
     */
    private void warmUp(List<Backend> backends) {
        int n = 1 << 10;
        // several primes per size: primes of one size can still differ in where reductions go
        for (int bits : new int[] {40, 48, 49, 50}) {
            for (long q : Primes.generate(bits, n, 3, List.of())) {
                for (Backend b : backends) {
                    time(Ntt.of(n, Modulus.of(q), b), new long[n], seconds / 3);
                }
            }
        }
    }

    private static long[] onesLike(int n) {
        long[] ones = new long[n];
        Arrays.fill(ones, 1);
        return ones;
    }

    private static String fmt(double micros) {
        return Double.isNaN(micros) ? "-" : String.format("%.1f", micros);
    }

    /** Mean µs of forward+inverse pairs halved, after a warm-up of the same length. */
    private double time(Ntt ntt, long[] input) {
        return time(ntt, input, seconds);
    }

    private static double time(Ntt ntt, long[] input, double seconds) {
        long[] a = input.clone();
        long budget = (long) (seconds * 1e9);
        for (int phase = 0; phase < 2; phase++) {
            long start = System.nanoTime();
            long iterations = 0;
            while (System.nanoTime() - start < budget || iterations == 0) {
                ntt.forward(a);
                ntt.inverse(a);
                iterations++;
            }
            if (phase == 1) {
                return (System.nanoTime() - start) / 1e3 / iterations / 2;
            }
        }
        throw new AssertionError();
    }
}
