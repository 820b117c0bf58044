package dev.ambit.waypoint.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The waypoint's request metrics with the ecosystem's names and labels, rendered in the Prometheus
 * text format. Label sets are built once per source/destination pair and cached; recording a
 * request only looks up the cached series and bumps adders.
 */
public final class RequestMetrics {

  private final ConcurrentHashMap<LabelKey, RequestLabels> labels = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<LabelKey, TcpSeries> tcp = new ConcurrentHashMap<>();

  /** Who sent a request and where it went. Values that are unknown are "unknown". */
  public record LabelKey(
      String sourceWorkload,
      String sourceNamespace,
      String sourcePrincipal,
      String destinationWorkload,
      String destinationNamespace,
      String destinationPrincipal,
      String destinationService,
      String destinationServiceName,
      String destinationServiceNamespace,
      String protocol) {}

  public RequestLabels labels(LabelKey key) {
    RequestLabels l = labels.get(key);
    if (l == null) {
      l = labels.computeIfAbsent(key, RequestMetrics::render);
    }
    return l;
  }

  /** The TCP counters of connections the waypoint proxies as TCP (not HTTP) for {@code key}. */
  public TcpSeries tcp(LabelKey key) {
    TcpSeries t = tcp.get(key);
    if (t == null) {
      t = tcp.computeIfAbsent(key, k -> new TcpSeries());
    }
    return t;
  }

  public void record(
      RequestLabels l,
      int code,
      GrpcStatus grpc,
      ResponseFlag flag,
      double durationMs,
      long requestBytes,
      long responseBytes) {
    RequestSeries s = l.series(code, grpc, flag);
    s.requests.increment();
    s.durationMs.record(durationMs);
    s.requestBytes.record(requestBytes);
    s.responseBytes.record(responseBytes);
  }

  private static RequestLabels render(LabelKey k) {
    StringBuilder b = new StringBuilder(512);
    label(b, "reporter", "waypoint");
    label(b, "source_workload", k.sourceWorkload());
    label(b, "source_workload_namespace", k.sourceNamespace());
    label(b, "source_principal", k.sourcePrincipal());
    label(b, "destination_workload", k.destinationWorkload());
    label(b, "destination_workload_namespace", k.destinationNamespace());
    label(b, "destination_principal", k.destinationPrincipal());
    label(b, "destination_service", k.destinationService());
    label(b, "destination_service_name", k.destinationServiceName());
    label(b, "destination_service_namespace", k.destinationServiceNamespace());
    label(b, "request_protocol", k.protocol());
    return new RequestLabels(b.toString());
  }

  private static void label(StringBuilder b, String name, String value) {
    if (!b.isEmpty()) {
      b.append(',');
    }
    b.append(name).append("=\"");
    String v = value == null || value.isEmpty() ? "unknown" : value;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '"' -> b.append("\\\"");
        case '\n' -> b.append("\\n");
        default -> b.append(c);
      }
    }
    b.append('"');
  }

  private static void tcpLine(StringBuilder b, String name, String labels, long value) {
    b.append(name).append('{').append(labels).append("} ").append(value).append('\n');
  }

  /** The Prometheus text exposition of every series. */
  public String scrape() {
    List<String[]> rows = new ArrayList<>();
    StringBuilder counter = new StringBuilder();
    StringBuilder duration = new StringBuilder();
    StringBuilder reqBytes = new StringBuilder();
    StringBuilder resBytes = new StringBuilder();
    for (RequestLabels l : labels.values()) {
      for (RequestSeries s : l.allSeries()) {
        String all = l.rendered() + "," + s.outcomeLabels();
        counter
            .append("istio_requests_total{")
            .append(all)
            .append("} ")
            .append(s.requests.sum())
            .append('\n');
        s.durationMs.write(duration, "istio_request_duration_milliseconds", all);
        s.requestBytes.write(reqBytes, "istio_request_bytes", all);
        s.responseBytes.write(resBytes, "istio_response_bytes", all);
      }
    }
    rows.add(new String[] {"istio_requests_total", "counter", "Requests", counter.toString()});
    rows.add(
        new String[] {
          "istio_request_duration_milliseconds",
          "histogram",
          "Request duration",
          duration.toString()
        });
    rows.add(
        new String[] {"istio_request_bytes", "histogram", "Request size", reqBytes.toString()});
    rows.add(
        new String[] {"istio_response_bytes", "histogram", "Response size", resBytes.toString()});
    StringBuilder opened = new StringBuilder();
    StringBuilder closed = new StringBuilder();
    StringBuilder received = new StringBuilder();
    StringBuilder sent = new StringBuilder();
    tcp.forEach(
        (k, t) -> {
          String all = labels(k).rendered() + ",response_flags=\"-\"";
          tcpLine(opened, "istio_tcp_connections_opened_total", all, t.opened.sum());
          tcpLine(closed, "istio_tcp_connections_closed_total", all, t.closed.sum());
          tcpLine(received, "istio_tcp_received_bytes_total", all, t.received.sum());
          tcpLine(sent, "istio_tcp_sent_bytes_total", all, t.sent.sum());
        });
    rows.add(
        new String[] {
          "istio_tcp_connections_opened_total",
          "counter",
          "TCP connections opened",
          opened.toString()
        });
    rows.add(
        new String[] {
          "istio_tcp_connections_closed_total",
          "counter",
          "TCP connections closed",
          closed.toString()
        });
    rows.add(
        new String[] {
          "istio_tcp_received_bytes_total",
          "counter",
          "Bytes received from the source over TCP",
          received.toString()
        });
    rows.add(
        new String[] {
          "istio_tcp_sent_bytes_total",
          "counter",
          "Bytes sent to the source over TCP",
          sent.toString()
        });
    StringBuilder out = new StringBuilder();
    for (String[] r : rows) {
      out.append("# HELP ").append(r[0]).append(' ').append(r[2]).append('\n');
      out.append("# TYPE ").append(r[0]).append(' ').append(r[1]).append('\n');
      out.append(r[3]);
    }
    return out.toString();
  }
}
