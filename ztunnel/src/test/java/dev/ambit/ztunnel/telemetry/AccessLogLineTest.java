package dev.ambit.ztunnel.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class AccessLogLineTest {

  static ConnectionLabels labels(String sourceWorkload, String destinationPrincipal) {
    return new ConnectionLabels(
        "source",
        sourceWorkload,
        "front",
        "spiffe://cluster.local/ns/front/sa/web",
        "web",
        "web",
        "v1",
        "api",
        "back",
        destinationPrincipal,
        "api",
        "api",
        "latest",
        "api.back.svc.cluster.local",
        "tcp",
        "-",
        "mutual_tls");
  }

  static String line(ConnectionLabels labels, String result) {
    return AccessLogLine.render(
        AccessLogLine.Parts.of(labels),
        new InetSocketAddress("10.241.1.2", 40000),
        new InetSocketAddress("10.241.2.3", 8080),
        34,
        12,
        7,
        result);
  }

  @Test
  void fieldsComeInTheirOrderAsCompactJson() {
    assertThat(line(labels("web", "spiffe://cluster.local/ns/back/sa/api"), "ok"))
        .isEqualTo(
            "{\"reporter\":\"source\",\"src.addr\":\"10.241.1.2:40000\",\"src.workload\":\"web\","
                + "\"src.namespace\":\"front\",\"src.identity\":\"spiffe://cluster.local/ns/front/sa/web\","
                + "\"dst.addr\":\"10.241.2.3:8080\",\"dst.service\":\"api.back.svc.cluster.local\","
                + "\"dst.workload\":\"api\",\"dst.namespace\":\"back\","
                + "\"dst.identity\":\"spiffe://cluster.local/ns/back/sa/api\",\"security\":\"mutual_tls\","
                + "\"bytes_sent\":34,\"bytes_received\":12,\"duration_ms\":7,\"result\":\"ok\"}");
  }

  @Test
  void hostileValuesCannotBreakOutOfTheirStrings() {
    String line =
        line(
            labels("we\"b\\\n", "id\u0000\u001f\b\t\f\r/é😀\u007f"),
            "error: \"},\"result\":\"ok\n");
    assertThat(line)
        .contains("\"src.workload\":\"we\\\"b\\\\\\n\"")
        .contains("\"dst.identity\":\"id\\u0000\\u001f\\u0008\\t\\u000c\\r/é😀\u007f\"")
        .endsWith("\"result\":\"error: \\\"},\\\"result\\\":\\\"ok\\n\"}")
        .doesNotContain("\n");
  }

  @Test
  void missingAddressesAndValuesAreUnknownAndNull() {
    String line =
        AccessLogLine.render(AccessLogLine.Parts.of(labels(null, "x")), null, null, 0, 0, 0, null);
    assertThat(line)
        .startsWith("{\"reporter\":\"source\",\"src.addr\":\"unknown\",\"src.workload\":null,")
        .contains("\"dst.addr\":\"unknown\",")
        .endsWith("\"result\":null}");
  }

  @Test
  void aRecordRendersItsOwnAddressesAndCounts() {
    ConnectionRecord r =
        new ConnectionRecord(
            new TcpMetrics(),
            labels("web", "spiffe://cluster.local/ns/back/sa/api"),
            new InetSocketAddress("10.241.1.2", 40000),
            new InetSocketAddress("10.241.2.3", 8080));
    r.received(12);
    r.sent(34);
    assertThat(r.accessLogLine("ok"))
        .startsWith(
            "{\"reporter\":\"source\",\"src.addr\":\"10.241.1.2:40000\",\"src.workload\":\"web\",")
        .contains(",\"dst.addr\":\"10.241.2.3:8080\",")
        .contains("\"bytes_sent\":34,\"bytes_received\":12,\"duration_ms\":")
        .endsWith(",\"result\":\"ok\"}");
  }
}
