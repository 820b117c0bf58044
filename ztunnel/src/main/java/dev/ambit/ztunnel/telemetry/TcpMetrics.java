package dev.ambit.ztunnel.telemetry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The TCP metrics with the ecosystem's names and labels. Each label set owns its counters; a
 * connection looks them up once ({@link #counters}) and then updates them without allocating.
 */
public final class TcpMetrics {

  /** The four counters of one label set, and the parts its access-log lines share. */
  public static final class Counters {
    final ConnectionLabels labels;
    final AccessLogLine.Parts accessLog;
    final LongAdder opened = new LongAdder();
    final LongAdder closed = new LongAdder();
    final LongAdder sent = new LongAdder();
    final LongAdder received = new LongAdder();

    Counters(ConnectionLabels labels) {
      this.labels = labels;
      this.accessLog = AccessLogLine.Parts.of(labels);
    }

    public void opened() {
      opened.increment();
    }

    public void closed() {
      closed.increment();
    }

    /** Bytes from the destination back to the source. */
    public void sent(long bytes) {
      sent.add(bytes);
    }

    /** Bytes from the source to the destination. */
    public void received(long bytes) {
      received.add(bytes);
    }
  }

  private record Family(
      String name, String help, java.util.function.Function<Counters, LongAdder> value) {}

  private static final List<Family> FAMILIES =
      List.of(
          new Family(
              "istio_tcp_connections_opened_total", "TCP connections opened.", c -> c.opened),
          new Family(
              "istio_tcp_connections_closed_total", "TCP connections closed.", c -> c.closed),
          new Family(
              "istio_tcp_sent_bytes_total",
              "Bytes sent from the destination to the source of TCP connections.",
              c -> c.sent),
          new Family(
              "istio_tcp_received_bytes_total",
              "Bytes received from the source by the destination of TCP connections.",
              c -> c.received));

  private final Map<ConnectionLabels, Counters> series = new ConcurrentHashMap<>();

  /** The counters of {@code labels}, created on first use. */
  public Counters counters(ConnectionLabels labels) {
    Counters c = series.get(labels);
    return c != null ? c : series.computeIfAbsent(labels, Counters::new);
  }

  /** Appends all series in the Prometheus text exposition format (version 0.0.4). */
  public void writePrometheus(StringBuilder out) {
    List<Counters> all = new ArrayList<>(series.values());
    all.sort(Comparator.comparing(c -> String.join("\u0000", c.labels.values())));
    for (Family f : FAMILIES) {
      out.append("# HELP ").append(f.name()).append(' ').append(f.help()).append('\n');
      out.append("# TYPE ").append(f.name()).append(" counter\n");
      for (Counters c : all) {
        out.append(f.name()).append('{');
        String[] values = c.labels.values();
        for (int i = 0; i < values.length; i++) {
          if (i > 0) {
            out.append(',');
          }
          out.append(ConnectionLabels.NAMES[i]).append("=\"");
          escape(values[i], out);
          out.append('"');
        }
        out.append("} ").append(f.value().apply(c).sum()).append('\n');
      }
    }
  }

  private static void escape(String value, StringBuilder out) {
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      switch (ch) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        default -> out.append(ch);
      }
    }
  }
}
