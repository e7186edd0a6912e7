package io.visionstream.loadtest.cli;

import io.visionstream.loadtest.LoadRun;
import io.visionstream.loadtest.frames.FramePool;
import io.visionstream.loadtest.generate.LoadPlan;
import io.visionstream.loadtest.report.Reports;
import io.visionstream.loadtest.report.RunReport;
import io.visionstream.loadtest.report.Slo;
import io.visionstream.loadtest.sweep.Sustainability;
import io.visionstream.loadtest.sweep.SweepReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/**
 * Steps the offered rate up (× --step-factor) until a step is not sustainable (p99 over the SLO,
 * backlog growing, frames missing), then bisects between the last sustainable and the first
 * unsustainable rate --refine times. Every step is a full run with its own report.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Finds the highest sustainable rate: steps the offered rate up until the p99 SLO breaks or the "
        + "backlog keeps growing, then refines. --duration is the length of each step.",
        "Exit code: 0 when some rate was sustainable (and at least --min-throughput), 1 otherwise, 2 for bad arguments, "
            + "3 when the sweep could not be done."})
public final class SweepCommand implements Callable<Integer> {

  @Mixin ConnectionOptions connection;
  @Mixin LocalOptions local;
  @Mixin LoadOptions load;
  @Mixin SloOptions slo;
  @Spec CommandSpec spec;

  @Option(names = "--start-rate", required = true, paramLabel = "FRAMES/S", description = "First step's offered rate.")
  double startRate;

  @Option(names = "--step-factor", defaultValue = "1.25", description = "Each step offers this times the last (default: ${DEFAULT-VALUE}).")
  double stepFactor;

  @Option(names = "--max-rate", defaultValue = "1000", paramLabel = "FRAMES/S", description = "Never offer more (default: ${DEFAULT-VALUE}).")
  double maxRate;

  @Option(names = "--refine", defaultValue = "2", description = "Bisection steps after the first failure (default: ${DEFAULT-VALUE}).")
  int refine;

  @Option(names = "--tolerance", defaultValue = "0.05",
      description = "Allowed backlog growth per second and send-rate shortfall, as a share of the offered rate (default: ${DEFAULT-VALUE}).")
  double tolerance;

  @Override
  public Integer call() throws Exception {
    Slo thresholds = slo.slo();
    if (thresholds.p99() == null) {
      throw new IllegalArgumentException("sweep needs --slo-p99: it is what makes a rate unsustainable");
    }
    if (!(stepFactor > 1)) {
      throw new IllegalArgumentException("--step-factor must be above 1, got " + stepFactor);
    }
    PrintWriter out = spec.commandLine().getOut();
    LoadPlan base = load.plan().withRate(startRate);
    FramePool pool = load.pool(base, out);
    Path dir = load.reportDir();
    List<SweepReport.Step> steps = new ArrayList<>();
    Double best = null;
    Double worst = null;
    String stopped = null;
    String startedAt = Instant.now().toString();
    try (Deployment deployment = Deployment.open(connection, local, load.fashionMnist(), out)) {
      double rate = startRate;
      int refinements = 0;
      while (true) {
        SweepReport.Step step = step(deployment, base.withRate(rate), pool, thresholds, dir.resolve(String.format(Locale.ROOT,
            "step-%02d-%.1f", steps.size() + 1, rate)), out);
        steps.add(step);
        if (step.sustainable()) {
          best = best == null ? rate : Math.max(best, rate);
        } else {
          worst = worst == null ? rate : Math.min(worst, rate);
        }
        if (step.missing() > 0 || step.problems().stream().anyMatch(p -> p.contains("did not drain"))) {
          stopped = "the step at " + fmt(rate) + "/s left events without an outcome; later steps would measure its backlog";
          break;
        }
        if (worst == null) {
          if (rate >= maxRate) {
            stopped = "reached --max-rate " + fmt(maxRate) + "/s with every step sustainable";
            break;
          }
          rate = Math.min(maxRate, rate * stepFactor);
        } else if (best == null || refinements++ >= refine) {
          break;
        } else {
          rate = (best + worst) / 2;
        }
      }
      SweepReport report = new SweepReport(deployment.description(), startedAt, thresholds.p99().toNanos() / 1e6,
          base.duration().toNanos() / 1e9, steps, best, stopped);
      report.write(dir);
      report.print(out);
      out.printf("sweep report: %s and %s%n", dir.resolve("sweep.json"), dir.resolve("sweep.html"));
      boolean enough = best != null && (thresholds.minThroughput() == null || best >= thresholds.minThroughput());
      return enough ? 0 : 1;
    }
  }

  private SweepReport.Step step(Deployment deployment, LoadPlan plan, FramePool pool, Slo thresholds, Path dir,
      PrintWriter out) throws Exception {
    out.printf(Locale.ROOT, "step: %.1f frames/s for %d s ...%n", plan.rate(), plan.duration().toSeconds());
    LoadRun run = new LoadRun(deployment.target(), deployment.description(), plan, pool, load.jpegQuality(), load.photos(),
        load.drainTimeout());
    RunReport report = run.run(deployment.lag(), load.showProgress()
        ? LoadRun.Progress.bar(String.format(Locale.ROOT, "%.1f/s", plan.rate())) : LoadRun.Progress.NONE);
    List<String> problems = Sustainability.problems(report, thresholds, tolerance);
    report = report.withVerdict(new RunReport.Verdict(problems.isEmpty(), thresholds.p99().toNanos() / 1e6,
        thresholds.minThroughput(), thresholds.maxMissing(), problems));
    Reports.write(report, dir);
    RunReport.Summary s = report.summary();
    out.printf(Locale.ROOT, "  sent %.1f/s, classified %.1f/s, p50 %.0f ms, p99 %.0f ms: %s%n", s.achievedSendRate(),
        s.throughput(), s.latency().p50(), s.latency().p99(), problems.isEmpty() ? "sustainable" : String.join("; ", problems));
    return new SweepReport.Step(plan.rate(), problems.isEmpty(), s.achievedSendRate(), s.throughput(), s.latency().p50(),
        s.latency().p99(), s.latency().max(), s.missing(), s.meanBatchSize(), Sustainability.backlogSlope(report), problems,
        dir.getFileName().toString());
  }

  private static String fmt(double rate) {
    return String.format(Locale.ROOT, "%.1f", rate);
  }
}
