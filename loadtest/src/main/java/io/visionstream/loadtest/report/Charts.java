package io.visionstream.loadtest.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.text.DecimalFormat;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/** The report's plots, drawn with JFreeChart into inline SVG. */
public final class Charts {

  static final int WIDTH = 900;
  static final int HEIGHT = 340;

  private Charts() {}

  /** Latency by percentile, on an axis that spreads the tail: x = -log10(1 - p). */
  public static String latencyPercentiles(List<RunReport.Percentile> percentiles, Double slo) {
    XYSeries series = new XYSeries("latency");
    for (RunReport.Percentile p : percentiles) {
      double fraction = p.percentile() / 100;
      if (fraction < 0.999999) {
        series.add(-Math.log10(1 - fraction), p.latency());
      }
    }
    JFreeChart chart = ChartFactory.createXYLineChart("End-to-end latency by percentile", "percentile", "latency (ms)",
        new XYSeriesCollection(series), PlotOrientation.VERTICAL, false, false, false);
    XYPlot plot = style(chart);
    NumberAxis x = (NumberAxis) plot.getDomainAxis();
    x.setTickUnit(new NumberTickUnit(1, new PercentileFormat()));
    x.setRange(0, Math.max(3, Math.ceil(series.getItemCount() == 0 ? 3 : series.getMaxX())));
    if (slo != null) {
      plot.addRangeMarker(marker(slo, "p99 SLO"));
    }
    return svg(chart);
  }

  /** Lines over the run's seconds, with the warm-up shaded and an optional horizontal reference. */
  public static String overTime(String title, String yLabel, List<RunReport.Interval> timeline, double warmupSeconds,
      Map<String, ToDoubleFunction<RunReport.Interval>> lines, Double reference, String referenceLabel) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (var line : lines.entrySet()) {
      XYSeries series = new XYSeries(line.getKey());
      for (RunReport.Interval interval : timeline) {
        double v = line.getValue().applyAsDouble(interval);
        if (!Double.isNaN(v)) {
          series.add(interval.t(), v);
        }
      }
      data.addSeries(series);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(title, "seconds since start", yLabel, data, PlotOrientation.VERTICAL,
        true, false, false);
    XYPlot plot = style(chart);
    if (warmupSeconds > 0) {
      IntervalMarker warmup = new IntervalMarker(0, warmupSeconds, new Color(0, 0, 0, 18));
      warmup.setLabel("warm-up");
      warmup.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      warmup.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_LEFT);
      warmup.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.TOP_LEFT);
      warmup.setLabelOffset(new org.jfree.chart.ui.RectangleInsets(4, 4, 4, 4));
      plot.addDomainMarker(warmup);
    }
    if (reference != null) {
      plot.addRangeMarker(marker(reference, referenceLabel));
    }
    return svg(chart);
  }

  /** y against x for several named series (a sweep's steps). */
  public static String xy(String title, String xLabel, String yLabel, Map<String, double[][]> lines, Double reference,
      String referenceLabel) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (var line : lines.entrySet()) {
      XYSeries series = new XYSeries(line.getKey(), true);
      for (double[] point : line.getValue()) {
        series.add(point[0], point[1]);
      }
      data.addSeries(series);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false,
        false);
    XYPlot plot = style(chart);
    ((XYLineAndShapeRenderer) plot.getRenderer()).setDefaultShapesVisible(true);
    if (reference != null) {
      plot.addRangeMarker(marker(reference, referenceLabel));
    }
    return svg(chart);
  }

  public static String batchSizes(Map<Integer, Long> batchesBySize) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    batchesBySize.forEach((size, batches) -> data.addValue(batches, "micro-batches", size));
    JFreeChart chart = ChartFactory.createBarChart("Micro-batch sizes seen (from the predictions' batch_size)",
        "images per micro-batch", "micro-batches", data, PlotOrientation.VERTICAL, false, false, false);
    chart.setBackgroundPaint(Color.WHITE);
    chart.getCategoryPlot().setBackgroundPaint(Color.WHITE);
    chart.getCategoryPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
    return svg(chart);
  }

  private static XYPlot style(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    XYLineAndShapeRenderer renderer = (XYLineAndShapeRenderer) plot.getRenderer();
    for (int i = 0; i < 5; i++) {
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    return plot;
  }

  private static ValueMarker marker(double value, String label) {
    ValueMarker marker = new ValueMarker(value, new Color(200, 40, 40), new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
        BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    marker.setLabel(label);
    marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    marker.setLabelOffset(new org.jfree.chart.ui.RectangleInsets(8, 40, 2, 2));
    return marker;
  }

  private static String svg(JFreeChart chart) {
    SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
    chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
    return g.getSVGElement();
  }

  /** Labels -log10(1 - p) ticks as percentiles: 0 → p0, 1 → p90, 2 → p99, 3 → p99.9. */
  private static final class PercentileFormat extends NumberFormat {
    private static final DecimalFormat DIGITS = new DecimalFormat("0.#####", java.text.DecimalFormatSymbols.getInstance(Locale.ROOT));

    @Override
    public StringBuffer format(double x, StringBuffer to, FieldPosition pos) {
      return to.append('p').append(DIGITS.format(100 * (1 - Math.pow(10, -x))));
    }

    @Override
    public StringBuffer format(long x, StringBuffer to, FieldPosition pos) {
      return format((double) x, to, pos);
    }

    @Override
    public Number parse(String source, ParsePosition pos) {
      throw new UnsupportedOperationException();
    }
  }
}
