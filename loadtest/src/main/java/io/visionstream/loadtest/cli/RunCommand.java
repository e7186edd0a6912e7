package io.visionstream.loadtest.cli;

import io.visionstream.loadtest.LoadRun;
import io.visionstream.loadtest.frames.FramePool;
import io.visionstream.loadtest.generate.LoadPlan;
import io.visionstream.loadtest.report.Reports;
import io.visionstream.loadtest.report.RunReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** One open-loop run at a fixed rate, with its report and pass/fail verdict. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Sends camera frames on an open-loop schedule, measures every prediction, and writes report.json and "
        + "report.html.", "Exit code: 0 when every threshold is met, 1 when one is missed, 2 for bad arguments, 3 when "
        + "the run could not be done."})
public final class RunCommand implements Callable<Integer> {

  @Mixin ConnectionOptions connection;
  @Mixin LocalOptions local;
  @Mixin LoadOptions load;
  @Mixin SloOptions slo;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    LoadPlan plan = load.plan();
    FramePool pool = load.pool(plan, out);
    Path reportDir = load.reportDir();
    try (Deployment deployment = Deployment.open(connection, local, load.fashionMnist(), out)) {
      out.printf("sending %.1f frames/s from %d cameras %s ...%n", plan.rate(), plan.cameras(),
          plan.count() > 0 ? plan.count() + " events" : "for " + plan.duration().toSeconds() + " s");
      LoadRun run = new LoadRun(deployment.target(), deployment.description(), plan, pool, load.jpegQuality(), load.photos(),
          load.drainTimeout());
      RunReport report = run.run(deployment.lag(), load.showProgress() ? LoadRun.Progress.bar("load") : LoadRun.Progress.NONE);
      report = report.withVerdict(slo.slo().evaluate(report.summary()));
      Reports.write(report, reportDir);
      Reports.printSummary(report, out);
      out.printf("report: %s and %s%n", reportDir.resolve(Reports.JSON), reportDir.resolve(Reports.HTML));
      return report.verdict().passed() ? 0 : 1;
    }
  }
}
