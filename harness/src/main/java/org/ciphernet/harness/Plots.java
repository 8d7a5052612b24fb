package org.ciphernet.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** PNG charts of the harness results (JFreeChart, headless). */
final class Plots {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {
    }

    /** Accuracy per model (PyTorch, plaintext, encrypted), labelled with the training seed. */
    static void accuracy(Path png, String title, List<CaseResult> rows) throws IOException {
        DefaultCategoryDataset d = new DefaultCategoryDataset();
        for (CaseResult r : rows) {
            String label = r.model().name() + " (seed " + r.model().seed() + ")";
            d.addValue(100 * r.model().plaintextAccuracy(), "PyTorch (whole test set)", label);
            if (r.unsupported().isEmpty()) {
                d.addValue(100 * r.plaintextAccuracy(), "plaintext (" + r.plaintextImages() + " images)", label);
                d.addValue(100 * r.encryptedAccuracy(), "encrypted (" + r.encryptedImages() + " images)", label);
            }
        }
        JFreeChart c = ChartFactory.createBarChart(title, "model", "accuracy, %", d, PlotOrientation.VERTICAL, true, false, false);
        ((CategoryPlot) c.getPlot()).getRangeAxis().setRange(50, 100);
        ChartUtils.saveChartAsPNG(png.toFile(), c, 900, 500);
    }

    /** The seed comparison: PyTorch test accuracy of every trained seed, grouped by architecture. */
    static void seeds(Path png, java.util.Map<String, List<Manifest.Model>> byArchitecture) throws IOException {
        DefaultCategoryDataset d = new DefaultCategoryDataset();
        for (var e : byArchitecture.entrySet()) {
            for (Manifest.Model m : e.getValue()) {
                d.addValue(100 * m.plaintextAccuracy(), "seed " + m.seed(), e.getKey());
            }
        }
        JFreeChart c = ChartFactory.createBarChart("Seed comparison: PyTorch accuracy on the whole test set", "architecture",
                "accuracy, %", d, PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = (CategoryPlot) c.getPlot();
        plot.getRangeAxis().setRange(85, 100);
        plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        ChartUtils.saveChartAsPNG(png.toFile(), c, 1000, 550);
    }

    /**
     * Per-step server time ({@code <model>-time.png}) and precision in bits, −log2 of the largest
     * error against the plaintext reference, for the steps the inspector could compare
     * ({@code <model>-precision.png}).
     */
    static void layers(Path dir, CaseResult r) throws IOException {
        DefaultCategoryDataset time = new DefaultCategoryDataset();
        DefaultCategoryDataset bits = new DefaultCategoryDataset();
        int i = 0;
        for (CaseResult.Layer l : r.layers()) {
            String label = (i++) + " " + shorten(l.layers());
            time.addValue(l.millis(), "time", label);
            if (!Double.isNaN(l.errorBits())) {
                bits.addValue(l.errorBits(), "precision", label);
            }
        }
        save(dir.resolve(r.model().name() + "-time.png"), r.model().name() + ": server time per step", "ms", time);
        save(dir.resolve(r.model().name() + "-precision.png"), r.model().name() + ": precision after each checked step",
                "bits (−log2 max error)", bits);
    }

    /**
     * The distribution of a model's plaintext margins: the share of images whose margin is at most x
     * (x on a log axis; margins of 0, ties, count but cannot be drawn), with vertical lines at 2 × the
     * observed and 2 × the predicted bound. Images right of a line are certified by that bound.
     */
    static void margins(Path png, String model, MarginCertificate c) throws IOException {
        double[] m = c.margins();
        XYSeries cdf = new XYSeries("share of images with margin ≤ x (" + m.length + " images)", true, true);
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (int i = 0; i < m.length; i++) {
            if (m[i] > 0 && Double.isFinite(m[i])) {
                cdf.add(m[i], (i + 1.0) / m.length);
                lo = Math.min(lo, m[i]);
                hi = Math.max(hi, m[i]);
            }
        }
        JFreeChart chart = ChartFactory.createXYLineChart(model + ": plaintext margins (top-1 − top-2 logit) and certificate bounds",
                "margin", "share of images", new XYSeriesCollection(cdf), PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.getRenderer().setSeriesPaint(0, new java.awt.Color(0, 70, 200));
        double[] lines = {2 * c.observedBound(), 2 * c.predictedBound()};
        String[] names = {"2 × observed bound", "2 × predicted bound"};
        java.awt.Color[] colors = {new java.awt.Color(0, 130, 0), new java.awt.Color(200, 0, 0)};
        for (int j = 0; j < lines.length; j++) {
            if (lines[j] > 0 && Double.isFinite(lines[j])) {
                ValueMarker marker = new ValueMarker(lines[j], colors[j], new java.awt.BasicStroke(1.5f));
                double share = MarginCertificate.certified(m, lines[j] / 2);
                marker.setLabel(String.format(java.util.Locale.ROOT, "%s: %.2f %% certified", names[j], 100 * share));
                marker.setLabelAnchor(j == 0 ? RectangleAnchor.TOP_RIGHT : RectangleAnchor.BOTTOM_RIGHT);
                marker.setLabelTextAnchor(j == 0 ? TextAnchor.TOP_LEFT : TextAnchor.BOTTOM_LEFT);
                plot.addDomainMarker(marker);
                lo = Math.min(lo, lines[j]);
                hi = Math.max(hi, lines[j]);
            }
        }
        LogAxis x = new LogAxis("margin (log scale)");
        if (hi > 0) {
            x.setRange(lo / 2, hi * 2);
        }
        plot.setDomainAxis(x);
        plot.getRangeAxis().setRange(0, 1);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 500);
    }

    private static void save(Path png, String title, String axis, DefaultCategoryDataset d) throws IOException {
        JFreeChart c = ChartFactory.createBarChart(title, "step", axis, d, PlotOrientation.VERTICAL, false, false, false);
        ((CategoryPlot) c.getPlot()).getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        ChartUtils.saveChartAsPNG(png.toFile(), c, 1000, 550);
    }

    private static String shorten(String s) {
        return s.length() <= 28 ? s : s.substring(0, 25) + "...";
    }
}
