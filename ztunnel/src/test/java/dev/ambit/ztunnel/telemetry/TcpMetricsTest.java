package dev.ambit.ztunnel.telemetry;

import static dev.ambit.ztunnel.state.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ambit.ztunnel.state.Fixtures;
import dev.ambit.ztunnel.state.ServiceInfo;
import dev.ambit.ztunnel.state.WorkloadInfo;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class TcpMetricsTest {

  final WorkloadInfo client =
      WorkloadInfo.of(
          pod("front", "web-7d9f", "web", "10.241.1.2")
              .setWorkloadName("web")
              .setCanonicalName("web")
              .setCanonicalRevision("v1")
              .build());
  final WorkloadInfo server =
      WorkloadInfo.of(pod("back", "api-55c1", "api", "10.241.2.3").setWorkloadName("api").build());
  final ServiceInfo service =
      ServiceInfo.of(Fixtures.service("back", "api", "10.96.0.5", 80, 8080).build());

  ConnectionLabels labels() {
    return ConnectionLabels.of(
        ConnectionLabels.Reporter.DESTINATION,
        client,
        client.identity(),
        server,
        server.identity(),
        service,
        true);
  }

  @Test
  void prometheusTextCarriesAllLabelsAndCounts() {
    TcpMetrics metrics = new TcpMetrics();
    ConnectionRecord a = new ConnectionRecord(metrics, labels(), null, null);
    ConnectionRecord b = new ConnectionRecord(metrics, labels(), null, null);
    a.received(100);
    a.sent(7);
    b.received(1);
    a.close("ok");
    a.close("ok");
    StringBuilder out = new StringBuilder();
    metrics.writePrometheus(out);
    String labels =
        "{reporter=\"destination\",source_workload=\"web\",source_workload_namespace=\"front\","
            + "source_principal=\"spiffe://cluster.local/ns/front/sa/web\",source_canonical_service=\"web\","
            + "source_app=\"web\",source_version=\"v1\",destination_workload=\"api\","
            + "destination_workload_namespace=\"back\",destination_principal=\"spiffe://cluster.local/ns/back/sa/api\","
            + "destination_canonical_service=\"api\",destination_app=\"api\",destination_version=\"latest\","
            + "destination_service=\"api.back.svc.cluster.local\",request_protocol=\"tcp\",response_flags=\"-\","
            + "connection_security_policy=\"mutual_tls\"}";
    assertThat(out.toString())
        .contains("# TYPE istio_tcp_connections_opened_total counter\n")
        .contains("istio_tcp_connections_opened_total" + labels + " 2\n")
        .contains("istio_tcp_connections_closed_total" + labels + " 1\n")
        .contains("istio_tcp_received_bytes_total" + labels + " 101\n")
        .contains("istio_tcp_sent_bytes_total" + labels + " 7\n");
  }

  @Test
  void labelValuesAreEscapedAndUnknownsNamed() {
    TcpMetrics metrics = new TcpMetrics();
    ConnectionLabels plaintext =
        ConnectionLabels.of(
            ConnectionLabels.Reporter.SOURCE, null, null, null, "we\"ird\\id\n", null, false);
    new ConnectionRecord(metrics, plaintext, null, null);
    StringBuilder out = new StringBuilder();
    metrics.writePrometheus(out);
    assertThat(out.toString())
        .contains("reporter=\"source\",source_workload=\"unknown\"")
        .contains("destination_principal=\"we\\\"ird\\\\id\\n\"")
        .contains("connection_security_policy=\"unknown\"");
  }

  @Test
  void accessLogLineAtCloseHasAddressesIdentitiesBytesAndResult() throws Exception {
    Logger access = (Logger) LoggerFactory.getLogger(ConnectionRecord.ACCESS_LOGGER);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    access.addAppender(appender);
    try {
      ConnectionRecord r =
          new ConnectionRecord(
              new TcpMetrics(),
              labels(),
              new InetSocketAddress("10.241.1.2", 40000),
              new InetSocketAddress("10.241.2.3", 8080));
      r.received(12);
      r.sent(34);
      assertThat(appender.list).isEmpty();
      r.close("denied: back/deny-all");
      r.close("ignored");
      assertThat(appender.list).hasSize(1);
      JsonNode line = new ObjectMapper().readTree(appender.list.getFirst().getFormattedMessage());
      assertThat(line.get("src.addr").asText()).isEqualTo("10.241.1.2:40000");
      assertThat(line.get("dst.addr").asText()).isEqualTo("10.241.2.3:8080");
      assertThat(line.get("src.workload").asText()).isEqualTo("web");
      assertThat(line.get("dst.workload").asText()).isEqualTo("api");
      assertThat(line.get("src.identity").asText())
          .isEqualTo("spiffe://cluster.local/ns/front/sa/web");
      assertThat(line.get("dst.identity").asText())
          .isEqualTo("spiffe://cluster.local/ns/back/sa/api");
      assertThat(line.get("bytes_received").asLong()).isEqualTo(12);
      assertThat(line.get("bytes_sent").asLong()).isEqualTo(34);
      assertThat(line.get("duration_ms").asLong()).isGreaterThanOrEqualTo(0);
      assertThat(line.get("result").asText()).isEqualTo("denied: back/deny-all");
    } finally {
      access.detachAppender(appender);
    }
  }
}
