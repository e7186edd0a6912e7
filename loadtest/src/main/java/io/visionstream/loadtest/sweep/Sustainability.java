package io.visionstream.loadtest.sweep;

import io.visionstream.loadtest.report.RunReport;
import io.visionstream.loadtest.report.Slo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether a sweep step's rate is sustainable: every SLO met, the generator kept its schedule, and
 * the backlog (sent events without an outcome) did not keep growing over the second half of the
 * measured window. Growth is the least-squares slope of the backlog, allowed up to
 * {@code tolerance} × the target rate per second: a pipeline below the offered rate grows its
 * backlog at the difference, one that keeps up only wobbles by a batch.
 */
public final class Sustainability {

  private Sustainability() {}

  public static List<String> problems(RunReport report, Slo slo, double tolerance) {
    List<String> problems = new ArrayList<>(slo.evaluate(report.summary()).failures());
    RunReport.Summary s = report.summary();
    double target = report.settings().targetRate();
    if (s.achievedSendRate() < (1 - tolerance) * target) {
      problems.add(String.format(Locale.ROOT, "the generator sent %.1f/s of the %.1f/s asked: the load test host or "
          + "the brokers could not keep the schedule", s.achievedSendRate(), target));
    }
    double slope = backlogSlope(report);
    if (slope > tolerance * target) {
      problems.add(String.format(Locale.ROOT, "the backlog grew by %.1f events/s in the second half of the step "
          + "(allowed %.1f/s): the pipeline does not keep up", slope, tolerance * target));
    }
    if (!s.drained()) {
      problems.add(String.format(Locale.ROOT, "the backlog did not drain within %.0f s", s.drainSeconds()));
    }
    return problems;
  }

  /** Least-squares slope (events/s) of the backlog over the second half of the measured window. */
  public static double backlogSlope(RunReport report) {
    double start = report.settings().warmupSeconds();
    double end = start + report.summary().measuredSeconds();
    double from = (start + end) / 2;
    List<double[]> points = new ArrayList<>();
    for (RunReport.Interval i : report.timeline()) {
      if (i.t() >= from - 1e-6 && i.t() <= end + 1e-6) {
        points.add(new double[] {i.t(), i.outstanding()});
      }
    }
    if (points.size() < 3) {
      return 0;
    }
    double mx = points.stream().mapToDouble(p -> p[0]).average().orElse(0);
    double my = points.stream().mapToDouble(p -> p[1]).average().orElse(0);
    double sxy = 0;
    double sxx = 0;
    for (double[] p : points) {
      sxy += (p[0] - mx) * (p[1] - my);
      sxx += (p[0] - mx) * (p[0] - mx);
    }
    return sxx == 0 ? 0 : sxy / sxx;
  }
}
