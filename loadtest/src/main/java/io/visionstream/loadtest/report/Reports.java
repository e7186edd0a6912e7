package io.visionstream.loadtest.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Writes a run's report as JSON and as a self-contained HTML page, and prints its summary table. */
public final class Reports {

  public static final String JSON = "report.json";
  public static final String HTML = "report.html";

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Reports() {}

  public static ObjectMapper json() {
    return MAPPER;
  }

  /** Writes {@code report.json} and {@code report.html} into {@code dir}. */
  public static void write(RunReport report, Path dir) throws IOException {
    Files.createDirectories(dir);
    MAPPER.writeValue(dir.resolve(JSON).toFile(), report);
    Files.writeString(dir.resolve(HTML), html(report), StandardCharsets.UTF_8);
  }

  public static void printSummary(RunReport report, PrintWriter out) {
    RunReport.Summary s = report.summary();
    RunReport.Latency l = s.latency();
    out.println();
    out.printf(Locale.ROOT, "visionstream load test %s: %s%n", report.runId(), report.target().deployment());
    for (String[] row : rows(report)) {
      out.printf(Locale.ROOT, "  %-26s %s%n", row[0], row[1]);
    }
    if (!s.problems().isEmpty()) {
      out.println("  problems:");
      s.problems().forEach(p -> out.println("    - " + p));
    }
    RunReport.Verdict v = report.verdict();
    if (v != null) {
      out.println(v.passed() ? "  PASSED" : "  FAILED:");
      v.failures().forEach(f -> out.println("    - " + f));
    }
    if (l.count() == 0) {
      out.println("  (no latency measured after the warm-up)");
    }
  }

  private static List<String[]> rows(RunReport report) {
    RunReport.Summary s = report.summary();
    RunReport.Latency l = s.latency();
    RunReport.Settings c = report.settings();
    StringBuilder resolutions = new StringBuilder();
    c.resolutions().forEach(r -> resolutions.append(resolutions.length() == 0 ? "" : ", ")
        .append(String.format(Locale.ROOT, "%s x%d (%.0f KB)", r.resolution(), r.cameras(), r.meanJpegBytes() / 1024)));
    return List.of(
        row("cameras / frames", c.cameras() + " cameras: " + resolutions),
        row("target rate", fmt("%.1f frames/s", c.targetRate())),
        row("achieved send rate", fmt("%.1f frames/s (send delay p99 %.1f ms, max %.1f ms)", s.achievedSendRate(),
            s.sendDelayP99(), s.sendDelayMax())),
        row("throughput", fmt("%.1f classified/s over %.0f s after %.0f s warm-up", s.throughput(), s.measuredSeconds(),
            c.warmupSeconds())),
        row("latency (ms)", fmt("p50 %.0f  p90 %.0f  p99 %.0f  p99.9 %.0f  max %.0f  mean %.0f  (n=%d)", l.p50(), l.p90(),
            l.p99(), l.p999(), l.max(), l.mean(), l.count())),
        row("sent", s.sent() + (s.sendErrors() > 0 ? " (" + s.sendErrors() + " failed to send)" : "")),
        row("classified / skipped", s.classified() + " / " + s.skipped() + (s.otherStatus() > 0 ? " / other " + s.otherStatus() : "")),
        row("dead-lettered", s.deadLettered() + (s.deadLetterReasons().isEmpty() ? "" : " " + s.deadLetterReasons())),
        row("missing / duplicates", s.missing() + " / " + s.duplicates() + (s.drained() ? "" : fmt(" (drain timed out after %.0f s)",
            s.drainSeconds()))),
        row("mean micro-batch", s.meanBatchSize() == null ? "-" : fmt("%.1f images", s.meanBatchSize())));
  }

  private static String[] row(String name, String value) {
    return new String[] {name, value};
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  static String html(RunReport report) {
    double warmup = report.settings().warmupSeconds();
    List<RunReport.Interval> t = report.timeline();
    Map<String, ToDoubleFunction<RunReport.Interval>> latency = new LinkedHashMap<>();
    latency.put("p50", i -> orNaN(i.latencyP50()));
    latency.put("p99", i -> orNaN(i.latencyP99()));
    latency.put("max", i -> orNaN(i.latencyMax()));
    Map<String, ToDoubleFunction<RunReport.Interval>> throughput = new LinkedHashMap<>();
    throughput.put("sent/s", i -> i.sent());
    throughput.put("classified/s", i -> i.classified());
    throughput.put("skipped + dead-lettered/s", i -> i.skipped() + i.deadLettered());
    Map<String, ToDoubleFunction<RunReport.Interval>> backlog = new LinkedHashMap<>();
    backlog.put("outstanding events (sent, no outcome yet)", i -> i.outstanding());
    backlog.put("classifier consumer-group lag", i -> i.consumerLag() == null ? Double.NaN : i.consumerLag());
    Double slo = report.verdict() == null ? null : report.verdict().sloP99();
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>visionstream load test ")
        .append(esc(report.runId())).append("</title>\n<style>").append(STYLE).append("</style></head><body>\n");
    html.append("<h1>visionstream load test <code>").append(esc(report.runId())).append("</code></h1>\n");
    html.append("<p>").append(esc(report.target().deployment())).append(" &middot; started ").append(esc(report.startedAt()))
        .append(" &middot; ").append(esc(report.target().bootstrapServers())).append(" &middot; ")
        .append(esc(report.target().inputTopic())).append(" &rarr; ").append(esc(report.target().predictionsTopic()))
        .append("</p>\n");
    RunReport.Verdict v = report.verdict();
    if (v != null) {
      html.append("<p class=\"").append(v.passed() ? "pass\">PASSED" : "fail\">FAILED").append("</p>");
      if (!v.failures().isEmpty()) {
        html.append("<ul>");
        v.failures().forEach(f -> html.append("<li>").append(esc(f)).append("</li>"));
        html.append("</ul>");
      }
    }
    html.append("<table>");
    for (String[] row : rows(report)) {
      html.append("<tr><th>").append(esc(row[0])).append("</th><td>").append(esc(row[1])).append("</td></tr>\n");
    }
    html.append("</table>\n");
    if (!report.summary().problems().isEmpty()) {
      html.append("<h3>Problems</h3><ul>");
      report.summary().problems().forEach(p -> html.append("<li>").append(esc(p)).append("</li>"));
      html.append("</ul>");
    }
    figure(html, "latency-percentiles", Charts.latencyPercentiles(report.latencyPercentiles(), slo));
    figure(html, "latency-over-time", Charts.overTime("Latency of predictions read each second", "latency (ms)", t, warmup,
        latency, slo, "p99 SLO"));
    figure(html, "throughput-over-time", Charts.overTime("Throughput", "events per second", t, warmup, throughput,
        report.settings().targetRate(), "target rate"));
    figure(html, "batch-sizes", Charts.batchSizes(report.batchesBySize()));
    figure(html, "backlog-over-time", Charts.overTime("Backlog", "events", t, warmup, backlog, null, null));
    html.append("<p class=\"note\">Latency: intended send time (open-loop schedule) until the prediction is read by the "
        + "load test, both on the load test host's clock. Percentiles exclude the warm-up. Full data: <a href=\"")
        .append(JSON).append("\">").append(JSON).append("</a>.</p>\n</body></html>\n");
    return html.toString();
  }

  public static void figure(StringBuilder html, String id, String svg) {
    html.append("<figure id=\"").append(id).append("\">").append(svg).append("</figure>\n");
  }

  public static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static double orNaN(Double d) {
    return d == null ? Double.NaN : d;
  }

  public static final String STYLE = "body{font-family:sans-serif;margin:24px;max-width:960px;color:#222}"
      + "table{border-collapse:collapse;margin:12px 0}th,td{text-align:left;padding:3px 12px;border-bottom:1px solid #ddd}"
      + "th{font-weight:600;white-space:nowrap}figure{margin:16px 0}.pass{color:#170;font-weight:700}"
      + ".fail{color:#b00;font-weight:700}.note{color:#666;font-size:90%}";
}
