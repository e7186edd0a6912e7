package io.visionstream.loadtest.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.visionstream.loadtest.LoadTestCommand;
import io.visionstream.loadtest.report.Reports;
import io.visionstream.model.preprocess.Preprocessing;
import io.visionstream.model.resnet.ResNetArchitecture;
import io.visionstream.model.resnet.ResNetBuilder;
import io.visionstream.model.savedmodel.Labels;
import io.visionstream.model.savedmodel.ModelExporter;
import io.visionstream.model.weights.SeededWeights;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The documented command, {@code loadtest run} with no cluster given: it starts its own broker
 * process and the real classifier service, and reports on them. A small seeded ResNet-18 keeps
 * it quick.
 */
class LocalStackIT {

  @TempDir Path dir;

  @Test
  void runAgainstTheLocalStackClassifiesEveryFrameAndWritesBothReports() throws Exception {
    Path model = dir.resolve("resnet18-64");
    ModelExporter.export(new ModelExporter.Request(ResNetArchitecture.RESNET18, 10, new SeededWeights(5), Labels.numbered(10),
        "resnet18-64", "seed-5", new ResNetBuilder.Options(64, true), Preprocessing.TORCHVISION.withCropSize(64)), model);
    Path reports = dir.resolve("report");
    StringWriter out = new StringWriter();
    CommandLine cli = LoadTestCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    int exit = cli.execute("run", "--model", model.toString(), "--max-batch-size", "8", "--cameras", "4", "--rate", "12",
        "--resolutions", "640x480,1280x720", "--duration", "5s", "--warmup", "1s", "--slo-p99", "5s", "--progress", "never",
        "--report-dir", reports.toString());
    assertThat(exit).as(out.toString()).isZero();
    JsonNode report = Reports.json().readTree(reports.resolve(Reports.JSON).toFile());
    JsonNode s = report.get("summary");
    assertThat(s.get("sent").asLong()).isEqualTo(60);
    assertThat(s.get("classified").asLong()).isEqualTo(60);
    assertThat(s.get("missing").asLong()).isZero();
    assertThat(report.get("target").get("deployment").asText()).contains("local stack").contains("max-batch-size=8");
    assertThat(report.get("settings").get("resolutions")).hasSize(2);
    long batched = 0;
    var sizes = report.get("batchesBySize").fields();
    while (sizes.hasNext()) {
      var e = sizes.next();
      assertThat(Integer.parseInt(e.getKey())).isBetween(1, 8);
      batched += Integer.parseInt(e.getKey()) * e.getValue().asLong();
    }
    assertThat(batched).as("every prediction's micro-batch is counted").isEqualTo(60);
    String html = Files.readString(reports.resolve(Reports.HTML));
    for (String figure : new String[] {"latency-percentiles", "latency-over-time", "throughput-over-time", "batch-sizes",
        "backlog-over-time"}) {
      Matcher svg = Pattern.compile("<figure id=\"" + figure + "\"><svg[^>]*>(.*?)</svg></figure>", Pattern.DOTALL).matcher(html);
      assertThat(svg.find()).as(figure).isTrue();
      assertThat(svg.group(1)).as(figure + " draws data").contains("<path");
    }
    assertThat(out.toString()).contains("PASSED").contains(reports.resolve(Reports.HTML).toString());
  }
}
