package io.visionstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlTest {

  @Test
  void namesTheMetricsAndNothingElse() {
    assertThat(PromQl.metricNames("histogram_quantile(0.99, sum by (le) (rate(visionstream_classifier_latency_seconds_bucket"
        + "[$__rate_interval])))")).containsExactly("visionstream_classifier_latency_seconds_bucket");
    assertThat(PromQl.metricNames("sum(rate(a_sum[1m])) / sum(rate(a_count[5m])) > bool 0.5 and on (instance) up"))
        .containsExactly("a_count", "a_sum", "up");
    assertThat(PromQl.metricNames("max by (instance) (kafka_consumer_fetch_manager_records_lag_max{client=\"classifier\","
        + "topic=~\"image-events|x\"})")).containsExactly("kafka_consumer_fetch_manager_records_lag_max");
    assertThat(PromQl.metricNames("sum without (pod) (increase(x_total{reason!=\"a b\"}[$__interval] offset 5m)) * 1e3"))
        .containsExactly("x_total");
  }
}
