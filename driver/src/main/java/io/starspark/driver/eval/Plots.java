package io.starspark.driver.eval;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's PNG charts (XChart, drawn off-screen: the JVM runs headless). */
final class Plots {
    /** Size in pixels of every chart. */
    static final int WIDTH = 800;
    static final int HEIGHT = 500;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {
    }

    /**
     * A needle heatmap: accuracy (%) per context length (rows) and needle depth (columns).
     *
     * @param accuracy [lengths][depths] accuracy in 0..1, NaN where the mode did not run
     */
    static void heatmap(Path png, String title, List<Integer> lengths, List<Double> depthsPercent, double[][] accuracy) {
        // the builder applies the theme's fonts and colors; the (width, height) constructor leaves them null
        HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT).build();
        chart.setTitle(title);
        chart.setXAxisTitle("needle depth (% of the document)");
        chart.setYAxisTitle("context tokens");
        chart.getStyler().setShowValue(true).setMin(0).setMax(100).setRangeColors(
                new Color[] {new Color(0xd7, 0x30, 0x27), new Color(0xfe, 0xe0, 0x8b), new Color(0x1a, 0x98, 0x50)});
        chart.getStyler().setHeatMapValueDecimalPattern("0");
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        List<String> xs = depthsPercent.stream().map(d -> Report.number(d) + "%").toList();
        List<String> ys = lengths.stream().map(Plots::tokens).toList();
        List<Number[]> cells = new ArrayList<>();
        for (int y = 0; y < lengths.size(); y++) {
            for (int x = 0; x < depthsPercent.size(); x++) {
                if (!Double.isNaN(accuracy[y][x])) {
                    cells.add(new Number[] {x, y, 100 * accuracy[y][x]});
                }
            }
        }
        chart.addSeries("accuracy %", xs, ys, cells);
        save(chart, png);
    }

    /** One line of an x-y chart; {@code rightAxis} puts it on the second y axis. */
    record Line(String name, double[] x, double[] y, boolean rightAxis) {
    }

    /** Lines over the page budget (% of pages) on the x axis; left and right y axes titled. */
    static void budgetChart(Path png, String title, String leftAxis, String rightAxis, List<Line> lines) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).build();
        chart.setTitle(title);
        chart.setXAxisTitle("page budget (% of context pages; star = 100%)");
        chart.setYAxisGroupTitle(0, leftAxis);
        chart.setYAxisGroupTitle(1, rightAxis);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(105.0);
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        for (Line l : lines) {
            XYSeries s = chart.addSeries(l.name(), l.x(), l.y());
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setYAxisGroup(l.rightAxis() ? 1 : 0);
        }
        save(chart, png);
    }

    private static void save(Chart<?, ?> chart, Path png) {
        try {
            BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png, e);
        }
    }

    /** 4096 → "4K", 1048576 → "1M", 1500 → "1500". */
    static String tokens(int n) {
        if (n % (1 << 20) == 0) {
            return n / (1 << 20) + "M";
        }
        if (n % 1024 == 0) {
            return n / 1024 + "K";
        }
        return String.format(Locale.ROOT, "%d", n);
    }
}
