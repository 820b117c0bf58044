package dev.ambit.waypoint.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ambit.proto.waypoint.Action;
import dev.ambit.proto.waypoint.L7Authorization;
import dev.ambit.proto.waypoint.Rule;
import dev.ambit.proto.waypoint.Source;
import dev.ambit.proto.waypoint.TargetRef;
import dev.ambit.waypoint.testing.Harness;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Non-HTTP streams are proxied as TCP, under the connection-level parts of L7 policy. */
class TcpProxyTest {

  Harness h;

  @BeforeEach
  void start() throws Exception {
    h = new Harness();
  }

  @AfterEach
  void stop() {
    h.close();
  }

  static String exchange(InetSocketAddress to, String send) throws Exception {
    try (Socket s = new Socket(to.getAddress(), to.getPort())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(send.getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[send.length()];
      int n = 0;
      while (n < buf.length) {
        int r = in.read(buf, n, buf.length - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
      return new String(buf, 0, n, StandardCharsets.UTF_8);
    }
  }

  @Test
  void nonHttpBytesAreRelayedToAnEndpoint() throws Exception {
    String payload = "hello, this is not http\r\n" + "x".repeat(20000);
    assertThat(exchange(h.reviews(), payload)).isEqualTo(payload);
    assertThat(h.v1.connections.get() + h.v2.connections.get()).isEqualTo(1);
    String labels =
        "\\{reporter=\"waypoint\",source_workload=\"curl\",[^}]*"
            + "destination_service_name=\"reviews\",[^}]*request_protocol=\"tcp\",response_flags=\"-\"\\} ";
    await()
        .untilAsserted(
            () ->
                assertThat(h.metrics.scrape())
                    .containsPattern("istio_tcp_connections_opened_total" + labels + "1\n")
                    .containsPattern("istio_tcp_connections_closed_total" + labels + "1\n")
                    .containsPattern(
                        "istio_tcp_received_bytes_total" + labels + payload.length() + "\n")
                    .containsPattern(
                        "istio_tcp_sent_bytes_total" + labels + payload.length() + "\n"));
  }

  @Test
  void policyThatCannotMatchWithoutHttpDeniesTcp() throws Exception {
    h.config(
        List.of(),
        List.of(
            L7Authorization.newBuilder()
                .setName("only-other-ns")
                .setNamespace("shop")
                .setAction(Action.ALLOW)
                .addTargets(TargetRef.newBuilder().setKind("Service").setName("reviews"))
                .addRules(Rule.newBuilder().addFrom(Source.newBuilder().addNamespaces("other")))
                .build()));
    assertThat(exchange(h.reviews(), "ping\n")).isEmpty();
    assertThat(h.v1.connections.get() + h.v2.connections.get()).isZero();
  }
}
