package dev.ambit.waypoint.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestMetricsTest {

  static final RequestMetrics.LabelKey KEY =
      new RequestMetrics.LabelKey(
          "curl",
          "shop",
          "spiffe://cluster.local/ns/shop/sa/curl",
          "reviews-v1",
          "shop",
          "spiffe://cluster.local/ns/shop/sa/reviews",
          "reviews.shop.svc.cluster.local",
          "reviews",
          "shop",
          "http");

  @Test
  void countsAndHistogramsCarryTheEcosystemLabels() {
    RequestMetrics m = new RequestMetrics();
    RequestLabels l = m.labels(KEY);
    assertThat(m.labels(KEY)).isSameAs(l);
    m.record(l, 200, GrpcStatus.NONE, ResponseFlag.NONE, 3.2, 0, 120);
    m.record(l, 200, GrpcStatus.NONE, ResponseFlag.NONE, 700, 10, 120);
    m.record(l, 503, GrpcStatus.NONE, ResponseFlag.NO_HEALTHY_UPSTREAM, 1, 0, 19);
    String text = m.scrape();
    String base =
        "reporter=\"waypoint\",source_workload=\"curl\",source_workload_namespace=\"shop\","
            + "source_principal=\"spiffe://cluster.local/ns/shop/sa/curl\","
            + "destination_workload=\"reviews-v1\",destination_workload_namespace=\"shop\","
            + "destination_principal=\"spiffe://cluster.local/ns/shop/sa/reviews\","
            + "destination_service=\"reviews.shop.svc.cluster.local\","
            + "destination_service_name=\"reviews\",destination_service_namespace=\"shop\","
            + "request_protocol=\"http\"";
    assertThat(text)
        .contains(
            "istio_requests_total{"
                + base
                + ",response_code=\"200\",grpc_response_status=\"\",response_flags=\"-\"} 2\n")
        .contains(
            "istio_requests_total{"
                + base
                + ",response_code=\"503\",grpc_response_status=\"\",response_flags=\"UH\"} 1\n")
        .contains(
            "istio_request_duration_milliseconds_bucket{"
                + base
                + ",response_code=\"200\",grpc_response_status=\"\",response_flags=\"-\",le=\"5\"} 1\n")
        .contains(
            "istio_request_duration_milliseconds_bucket{"
                + base
                + ",response_code=\"200\",grpc_response_status=\"\",response_flags=\"-\",le=\"1000\"} 2\n")
        .contains(
            "istio_response_bytes_sum{"
                + base
                + ",response_code=\"200\",grpc_response_status=\"\",response_flags=\"-\"} 240.0\n")
        .contains("# TYPE istio_request_duration_milliseconds histogram\n")
        .contains("# TYPE istio_requests_total counter\n");
  }

  @Test
  void grpcStatusAndEscaping() {
    RequestMetrics m = new RequestMetrics();
    RequestLabels l =
        m.labels(
            new RequestMetrics.LabelKey("a\"b", "", null, "d", "n", "p", "s", "s", "n", "grpc"));
    m.record(l, 200, GrpcStatus.of("14"), ResponseFlag.NONE, 1, 1, 1);
    assertThat(m.scrape())
        .contains("source_workload=\"a\\\"b\",source_workload_namespace=\"unknown\"")
        .contains("request_protocol=\"grpc\",response_code=\"200\",grpc_response_status=\"14\"");
    assertThat(GrpcStatus.of("x")).isEqualTo(GrpcStatus.UNKNOWN);
    assertThat(GrpcStatus.of(null)).isEqualTo(GrpcStatus.NONE);
  }

  @Test
  void recordingIntoAnExistingSeriesDoesNotAllocate() {
    RequestMetrics m = new RequestMetrics();
    RequestLabels l = m.labels(KEY);
    for (int i = 0; i < 20_000; i++) {
      m.record(l, 200 + (i % 2) * 303, GrpcStatus.NONE, ResponseFlag.NONE, i % 700, i, i);
    }
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().threadId();
    long before = threads.getThreadAllocatedBytes(id);
    for (int i = 0; i < 100_000; i++) {
      m.record(l, 200 + (i % 2) * 303, GrpcStatus.NONE, ResponseFlag.NONE, i % 700, i, i);
    }
    long allocated = threads.getThreadAllocatedBytes(id) - before;
    // the measurement itself may allocate a little; 100k records allocating even 8 bytes each
    // would be 800 KB
    assertThat(allocated).isLessThan(16 * 1024);
  }
}
