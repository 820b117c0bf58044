package dev.ambit.waypoint.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ambit.proto.waypoint.RouteRule;
import dev.ambit.proto.waypoint.Timeouts;
import dev.ambit.waypoint.testing.Harness;
import dev.ambit.waypoint.testing.StreamingBackend;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The route's timeouts last until the response is complete, not only until its head: a backend that
 * sends the head and a first piece of the body, then stalls, is cut off at the deadline.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamingTimeoutTest {

  Harness h;
  StreamingBackend backend;

  @BeforeEach
  void start() throws Exception {
    h = new Harness();
    backend = new StreamingBackend(h.group);
    h.connector.map("10.241.1.11:8080", backend.address());
  }

  @AfterEach
  void stop() {
    backend.close();
    h.close();
  }

  @ParameterizedTest(name = "{0} timeout")
  @ValueSource(strings = {"request", "backendRequest"})
  void aStalledResponseBodyIsCutOffAtTheTimeout(String which) throws Exception {
    Timeouts.Builder t = Timeouts.newBuilder();
    if (which.equals("request")) {
      t.setRequest(com.google.protobuf.Duration.newBuilder().setSeconds(2).build());
    } else {
      t.setBackendRequest(com.google.protobuf.Duration.newBuilder().setSeconds(2).build());
    }
    h.config(
        List.of(
            Routes.route(
                RouteRule.newBuilder()
                    .addBackends(Routes.backend("reviews-v1", 1))
                    .setTimeouts(t)
                    .build())),
        List.of());
    InetSocketAddress to = h.reviews();
    String reply;
    try (Socket socket = new Socket(to.getAddress(), to.getPort())) {
      socket.setSoTimeout(30_000);
      socket
          .getOutputStream()
          .write("GET /hold HTTP/1.1\r\nHost: reviews\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      // Everything until the waypoint closes the connection (a read timeout fails the test).
      reply = readToEnd(socket.getInputStream());
    }
    assertThat(reply).startsWith("HTTP/1.1 200").contains("data: message-1");
    assertThat(reply)
        .as("the body ended without its last chunk")
        .doesNotContain("message-2")
        .doesNotEndWith("0\r\n\r\n");
    assertThat(backend.finished).as("the backend never released the stream").isFalse();
    await()
        .untilAsserted(
            () ->
                assertThat(h.metrics.scrape())
                    .contains(
                        "response_code=\"200\",grpc_response_status=\"\",response_flags=\"UT\""));
  }

  private static String readToEnd(InputStream in) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    int n;
    while ((n = in.read(buf)) >= 0) {
      out.write(buf, 0, n);
    }
    return out.toString(StandardCharsets.US_ASCII);
  }
}
