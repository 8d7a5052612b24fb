package org.ciphernet.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

/** PNG bar charts of the harness results (JFreeChart, headless). */
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

    private static void save(Path png, String title, String axis, DefaultCategoryDataset d) throws IOException {
        JFreeChart c = ChartFactory.createBarChart(title, "step", axis, d, PlotOrientation.VERTICAL, false, false, false);
        ((CategoryPlot) c.getPlot()).getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        ChartUtils.saveChartAsPNG(png.toFile(), c, 1000, 550);
    }

    private static String shorten(String s) {
        return s.length() <= 28 ? s : s.substring(0, 25) + "...";
    }
}
