package dev.ambit.bench;

import dev.ambit.waypoint.metrics.GrpcStatus;
import dev.ambit.waypoint.metrics.RequestLabels;
import dev.ambit.waypoint.metrics.RequestMetrics;
import dev.ambit.waypoint.metrics.ResponseFlag;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The metric work a waypoint does for each request: build the request's label key (as the telemetry
 * filter does, from the exchange's source, destination and protocol), find its cached label set,
 * and record the outcome (count, duration, request and response sizes). Run with {@code -prof gc}:
 * it must allocate 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RequestMetricsBenchmark {

  private RequestMetrics metrics;
  private String client;
  private String principal;
  private String protocol;
  private RequestLabels labels;

  @Setup
  public void setUp() {
    metrics = new RequestMetrics();
    // Other series exist too, as on a busy waypoint.
    for (int i = 0; i < 200; i++) {
      metrics.record(
          metrics.labels(
              key("client-" + i, "spiffe://cluster.local/ns/bench/sa/client-" + i, "http")),
          200,
          GrpcStatus.NONE,
          ResponseFlag.NONE,
          1.5,
          0,
          1024);
    }
    client = "client";
    principal = "spiffe://cluster.local/ns/bench/sa/client";
    protocol = "http";
    labels = metrics.labels(key(client, principal, protocol));
  }

  private static RequestMetrics.LabelKey key(String client, String principal, String protocol) {
    return new RequestMetrics.LabelKey(
        client,
        "bench",
        principal,
        "server-v1",
        "bench",
        "spiffe://cluster.local/ns/bench/sa/server",
        "server.bench.svc.cluster.local",
        "server",
        "bench",
        protocol);
  }

  /** A whole request's metric work: label key, lookup, record. */
  @Benchmark
  public RequestLabels perRequest() {
    RequestLabels l = metrics.labels(key(client, principal, protocol));
    metrics.record(l, 200, GrpcStatus.NONE, ResponseFlag.NONE, 2.5, 0, 1024);
    return l;
  }

  /** Recording alone, with the label set already found. */
  @Benchmark
  public RequestLabels record() {
    metrics.record(labels, 200, GrpcStatus.NONE, ResponseFlag.NONE, 2.5, 0, 1024);
    return labels;
  }
}
