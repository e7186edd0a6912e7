package io.visionstream.loadtest.sweep;

import io.visionstream.loadtest.report.Reports;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A sweep's steps and its answer: the highest offered rate that was sustainable.
 *
 * @param sustainableRate highest passing step's rate, or null if none passed
 */
public record SweepReport(String deployment, String startedAt, double sloP99, double stepSeconds, List<Step> steps,
    Double sustainableRate, String stoppedBecause) {

  /** One step of the sweep; its full run report is in {@code reportDir}. */
  public record Step(double rate, boolean sustainable, double achievedSendRate, double throughput, double p50, double p99,
      double max, long missing, Double meanBatchSize, double backlogSlope, List<String> problems, String reportDir) {}

  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Reports.json().writeValue(dir.resolve("sweep.json").toFile(), this);
    Files.writeString(dir.resolve("sweep.html"), html(), StandardCharsets.UTF_8);
  }

  public void print(PrintWriter out) {
    out.println();
    out.printf(Locale.ROOT, "sweep of %s, p99 SLO %.0f ms, %.0f s per step%n", deployment, sloP99, stepSeconds);
    out.println("   offered   sent/s  classified/s   p50 ms   p99 ms  batch  backlog/s  sustainable");
    for (Step s : steps) {
      out.printf(Locale.ROOT, "  %8.1f %8.1f %13.1f %8.0f %8.0f %6s %10.2f  %s%n", s.rate(), s.achievedSendRate(),
          s.throughput(), s.p50(), s.p99(), s.meanBatchSize() == null ? "-" : String.format(Locale.ROOT, "%.1f", s.meanBatchSize()),
          s.backlogSlope(), s.sustainable() ? "yes" : "no: " + String.join("; ", s.problems()));
    }
    out.println(sustainableRate == null ? "no step was sustainable"
        : String.format(Locale.ROOT, "highest sustainable rate: %.1f frames/s", sustainableRate));
    if (stoppedBecause != null) {
      out.println("stopped: " + stoppedBecause);
    }
  }

  private String html() {
    List<Step> sorted = steps.stream().sorted((a, b) -> Double.compare(a.rate(), b.rate())).toList();
    Map<String, double[][]> latency = new LinkedHashMap<>();
    latency.put("p50", sorted.stream().map(s -> new double[] {s.rate(), s.p50()}).toArray(double[][]::new));
    latency.put("p99", sorted.stream().map(s -> new double[] {s.rate(), s.p99()}).toArray(double[][]::new));
    Map<String, double[][]> throughput = new LinkedHashMap<>();
    throughput.put("offered", sorted.stream().map(s -> new double[] {s.rate(), s.rate()}).toArray(double[][]::new));
    throughput.put("classified/s", sorted.stream().map(s -> new double[] {s.rate(), s.throughput()}).toArray(double[][]::new));
    StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<title>visionstream load-test sweep</title><style>").append(Reports.STYLE).append("</style></head><body>\n");
    html.append("<h1>visionstream load-test sweep</h1><p>").append(Reports.esc(deployment)).append(" &middot; started ")
        .append(Reports.esc(startedAt)).append("</p>\n<p class=\"pass\">")
        .append(sustainableRate == null ? "no step was sustainable"
            : String.format(Locale.ROOT, "highest sustainable rate: %.1f frames/s", sustainableRate))
        .append("</p>\n<table><tr><th>offered/s</th><th>sent/s</th><th>classified/s</th><th>p50 ms</th><th>p99 ms</th>"
            + "<th>mean batch</th><th>sustainable</th><th>report</th></tr>\n");
    for (Step s : steps) {
      html.append(String.format(Locale.ROOT, "<tr><td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.0f</td><td>%.0f</td><td>%s</td>"
          + "<td>%s</td><td><a href=\"%s/report.html\">step</a></td></tr>%n", s.rate(), s.achievedSendRate(), s.throughput(),
          s.p50(), s.p99(), s.meanBatchSize() == null ? "-" : String.format(Locale.ROOT, "%.1f", s.meanBatchSize()),
          s.sustainable() ? "yes" : "no: " + Reports.esc(String.join("; ", s.problems())), Reports.esc(s.reportDir())));
    }
    html.append("</table>\n");
    Reports.figure(html, "sweep-latency", io.visionstream.loadtest.report.Charts.xy("Latency by offered rate",
        "offered frames/s", "latency (ms)", latency, sloP99, "p99 SLO"));
    Reports.figure(html, "sweep-throughput", io.visionstream.loadtest.report.Charts.xy("Throughput by offered rate",
        "offered frames/s", "frames/s", throughput, null, null));
    if (stoppedBecause != null) {
      html.append("<p class=\"note\">Stopped: ").append(Reports.esc(stoppedBecause)).append("</p>");
    }
    return html.append("</body></html>\n").toString();
  }
}
