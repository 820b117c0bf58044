package dev.ambit.bench;

import dev.ambit.ztunnel.telemetry.ConnectionLabels;
import dev.ambit.ztunnel.telemetry.TcpMetrics;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The TCP metric updates ztunnel makes for each connection: look up the counters of the
 * connection's label set (computed once when the connection is accepted), count it opened, add the
 * bytes of each direction, count it closed. Run with {@code -prof gc}: both must allocate 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TcpMetricsBenchmark {

  private TcpMetrics metrics;
  private ConnectionLabels labels;
  private TcpMetrics.Counters counters;

  @Setup
  public void setUp() {
    metrics = new TcpMetrics();
    // Other series exist too, as on a busy node.
    for (int i = 0; i < 200; i++) {
      metrics.counters(labels("client-" + i));
    }
    labels = labels("client");
    counters = metrics.counters(labels);
  }

  private static ConnectionLabels labels(String client) {
    return new ConnectionLabels(
        "destination",
        client,
        "bench",
        "spiffe://cluster.local/ns/bench/sa/" + client,
        client,
        client,
        "v1",
        "server",
        "bench",
        "spiffe://cluster.local/ns/bench/sa/server",
        "server",
        "server",
        "v1",
        "server.bench.svc.cluster.local",
        "tcp",
        "-",
        "mutual_tls");
  }

  /** A whole connection's metric work: lookup, opened, one chunk each way, closed. */
  @Benchmark
  public TcpMetrics.Counters perConnection() {
    TcpMetrics.Counters c = metrics.counters(labels);
    c.opened();
    c.received(16384);
    c.sent(1024);
    c.closed();
    return c;
  }

  /** The per-chunk update on the relay path (counters already held by the connection). */
  @Benchmark
  public TcpMetrics.Counters perChunk() {
    counters.received(16384);
    return counters;
  }
}
