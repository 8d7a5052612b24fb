package org.ciphernet.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.ciphernet.nn.InputRange;
import org.ciphernet.nn.model.Conv2d;
import org.ciphernet.nn.model.Dense;
import org.ciphernet.nn.model.Flatten;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.Quadratic;
import org.ciphernet.nn.model.Shape;
import org.junit.jupiter.api.Test;

/** The margin certificate's arithmetic, its report and CSV columns, and its place in a harness run. */
class MarginCertificateTest {
    private static final Manifest.Model MODEL = new Manifest.Model("tiny", "tiny", "tiny.onnx", "mnist", 0, 8, 0.9, 1, 1, "", "", null, 0);

    @Test
    void marginIsTopOneMinusTopTwo() {
        assertEquals(1.0, MarginCertificate.margin(new double[] {1, 3, 2}), 1e-15);
        assertEquals(2.5, MarginCertificate.margin(new double[] {-3, -0.5, -4, -5}), 1e-15);
        assertEquals(4.0, MarginCertificate.margin(new double[] {7, 3, 3}), 1e-15, "the top-2 is the second value, not the second distinct");
        assertEquals(0.0, MarginCertificate.margin(new double[] {2, 5, 1, 5}), "a tie at the top has no margin");
        assertEquals(Double.POSITIVE_INFINITY, MarginCertificate.margin(new double[] {0.3}));
        assertThrows(IllegalArgumentException.class, () -> MarginCertificate.margin(new double[0]));
        assertThrows(IllegalArgumentException.class, () -> MarginCertificate.margin(new double[] {1, Double.NaN}));
    }

    @Test
    void certifiedAreMarginsStrictlyAboveTwiceTheBound() {
        double[] m = {0, 0.1, 0.2, 0.3};
        assertEquals(0.5, MarginCertificate.certified(m, 0.05), "0.1 = 2 × 0.05 could tie: not certified");
        assertEquals(0.75, MarginCertificate.certified(m, 0));
        assertEquals(0.0, MarginCertificate.certified(m, 1));
        assertTrue(Double.isNaN(MarginCertificate.certified(m, Double.NaN)));
        assertTrue(Double.isNaN(MarginCertificate.certified(new double[0], 0.1)));
    }

    @Test
    void certificateSortsItsMarginsAndCountsBothBounds() {
        MarginCertificate c = new MarginCertificate(new double[] {0.9, 0.01, 0.3, 0.05}, 0.02, 0.1, new InputRange(0, 1), true);
        assertArrayEquals(new double[] {0.01, 0.05, 0.3, 0.9}, c.margins());
        assertEquals(4, c.images());
        assertEquals(0.75, c.certifiedObserved()); // > 0.04
        assertEquals(0.5, c.certifiedPredicted()); // > 0.2
        assertThrows(IllegalArgumentException.class, () -> new MarginCertificate(new double[] {-1}, 0, 0, new InputRange(0, 1), false));
        assertThrows(IllegalArgumentException.class,
                () -> new MarginCertificate(new double[] {Double.NaN}, 0, 0, new InputRange(0, 1), false));
    }

    @Test
    void theRangeOfImagesIsTheirSmallestAndLargestValue() {
        assertEquals(new InputRange(0, 1), MarginCertificate.range(new double[][] {{0, 0.5}, {1, 0.25}}));
    }

    private static CaseResult result(Optional<MarginCertificate> c) {
        CaseResult r = new CaseResult(MODEL, 0.875, 8, 1.0, 2, 1.0, 0.004, 12.0, 4, 10, 11, 1 << 20, "N = 2^13", List.of(), List.of(),
                Optional.empty());
        return c.map(r::withCertificate).orElse(r);
    }

    @Test
    void csvGainsTheCertificateColumns() {
        MarginCertificate c = new MarginCertificate(new double[] {0.001, 0.05, 0.5, 2}, 0.008, 0.03, new InputRange(0, 1), true);
        Map<String, CaseResult> results = new LinkedHashMap<>();
        results.put("tiny", result(Optional.of(c)));
        results.put("bare", CaseResult.unsupported(MODEL, "ReLU: no encrypted form"));
        String[] lines = Report.csv(results).split("\\R");
        List<String> header = List.of(lines[0].split(","));
        assertEquals(List.of("margin_images", "observed_bound", "certified_observed", "predicted_bound", "certified_predicted",
                "estimate_min", "estimate_max", "estimate_from_images"), header.subList(16, header.size()));
        String[] row = lines[1].split(",", -1);
        assertEquals(header.size(), row.length);
        assertEquals("4", row[16]);
        assertEquals("0.008000", row[17]);
        assertEquals("0.7500", row[18]); // > 0.016
        assertEquals("0.03000", row[19]);
        assertEquals("0.5000", row[20]); // > 0.06
        assertEquals("0.0", row[21]);
        assertEquals("1.0", row[22]);
        assertEquals("true", row[23]);
        String[] bare = lines[2].split(",", -1);
        assertEquals(header.size(), bare.length, "a model without a certificate keeps the columns, empty");
        assertEquals("", bare[16]);
    }

    @Test
    void reportShowsTheCertifiedSharesNextToTheSampleAndPlotsTheMargins() throws IOException {
        Path dir = Files.createTempDirectory("margin-report");
        MarginCertificate c = new MarginCertificate(new double[] {0, 0.001, 0.05, 0.5, 2}, 0.008, 0.03, new InputRange(0, 1), true);
        Map<String, CaseResult> results = new LinkedHashMap<>();
        results.put("tiny", result(Optional.of(c)));
        String md = Report.write(dir, List.of(new Manifest.Table("t", "Tiny", null, List.of("tiny"))), results, List.of(MODEL), "test",
                new Harness.Options(2, true, 1));
        assertTrue(md.contains(Report.CERTIFICATE_LEGEND), md);
        assertTrue(md.contains("holds for images like the test images"), md);
        assertTrue(md.contains("| tiny | 5 | 2 | 0.00800 | 60.00 % | 0.0300 | 40.00 % | [0, 1] (test images) |"), md);
        assertTrue(md.contains("![margins](tiny-margins.png)"), md);
        assertTrue(Files.size(dir.resolve("tiny-margins.png")) > 1000);
        // the main table keeps its format
        assertTrue(md.contains("| model | PyTorch acc. | plain acc. | encrypted acc. | agreement | max logit error | latency / image |"));
        MarginCertificate declared = new MarginCertificate(new double[] {1}, 0.1, 0.2, new InputRange(0, 1), false);
        results.put("tiny", result(Optional.of(declared)));
        String md2 = Report.write(dir, List.of(new Manifest.Table("t", "Tiny", null, List.of("tiny"))), results, List.of(MODEL), "test",
                new Harness.Options(2, true, 1));
        assertTrue(md2.contains("[0, 1] (declared)"), md2);
    }

    /** n random 4×4 images of byte values scaled to [0, 1], labelled 0, 1, 2, 0, … */
    private static LabeledImages randomImages(SplittableRandom r, int n) {
        double[][] images = new double[n][16];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 16; j++) {
                images[i][j] = r.nextInt(256) / 255.0;
            }
            labels[i] = i % 3;
        }
        return new LabeledImages("random", new Shape(1, 4, 4), images, labels);
    }

    /** conv 3×3 → per-channel quadratic → dense, on 4×4 images: encrypted in seconds. */
    private static Network tiny() {
        SplittableRandom r = new SplittableRandom(5);
        double[] w = new double[2 * 9];
        for (int i = 0; i < w.length; i++) {
            w[i] = (r.nextDouble() * 2 - 1) * 0.2;
        }
        double[] d = new double[32 * 3];
        for (int i = 0; i < d.length; i++) {
            d[i] = (r.nextDouble() * 2 - 1) * 0.2;
        }
        return Network.builder("tiny", new Shape(1, 4, 4))
                .layer("conv", Conv2d.of(1, 2, 3, 1, 1, w, new double[] {0.05, -0.05}))
                .layer("quad", new Quadratic(new double[] {0.5, 0.3}, new double[] {0.3, 1.0}, new double[] {0.1, -0.1}))
                .layer("flatten", new Flatten())
                .layer("fc", new Dense(32, 3, d, new double[] {0.1, 0, -0.1}))
                .build();
    }

    @Test
    void everyHarnessResultCarriesACertificateOfThePlaintextPass() {
        SplittableRandom r = new SplittableRandom(9);
        int n = 8;
        LabeledImages test = randomImages(r, n);
        CaseResult res = Harness.evaluate(MODEL, tiny(), test, new Harness.Options(2, true, 1), Progress.none());
        MarginCertificate c = res.certificate().orElseThrow();
        assertEquals(n, c.images(), "margins of the whole plaintext pass, not only the encrypted sample");
        assertEquals(2 * res.maxLogitError(), c.observedBound(), 0);
        assertTrue(c.rangeFromImages(), "the default declared range is far wider than [0, 1]");
        assertTrue(c.estimateRange().min() >= 0 && c.estimateRange().max() <= 1, c.estimateRange().toString());
        assertTrue(c.predictedBound() > res.maxLogitError(), "predicted " + c.predictedBound() + " vs measured " + res.maxLogitError());
        System.out.printf("tiny: max logit error %.3g, predicted bound %.3g, certified %.3f / %.3f%n", res.maxLogitError(),
                c.predictedBound(), c.certifiedObserved(), c.certifiedPredicted());
    }

    @Test
    void aPackedPassEncryptsSeveralImagesPerCiphertextAndStopsAtTheTimeBudget() {
        SplittableRandom r = new SplittableRandom(11);
        int perCiphertext = org.ciphernet.nn.compiler.Compiler.compile(tiny(), org.ciphernet.nn.compiler.CompileOptions.packed())
                .imagesPerCiphertext();
        assertTrue(perCiphertext > 1);
        int n = 2 * perCiphertext + 3;
        LabeledImages test = randomImages(r, n);
        CaseResult all = Harness.evaluate(MODEL, tiny(), test, new Harness.Options(n, true, 1, false, 4, true, 60), Progress.none());
        assertEquals(n, all.encryptedImages());
        assertEquals(1.0, all.agreement());
        assertTrue(all.parameters().contains("packed, "), all.parameters());
        // a budget no ciphertext meets: the pass stops after the first, with the sample rounded up to whole ciphertexts
        CaseResult cut = Harness.evaluate(MODEL, tiny(), test, new Harness.Options(n, true, 1, false, 4, true, 1e-9), Progress.none());
        assertEquals(perCiphertext, cut.encryptedImages());
        assertTrue(cut.parameters().contains("would take about"), cut.parameters());
    }
}
