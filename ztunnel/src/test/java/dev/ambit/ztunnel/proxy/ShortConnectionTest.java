package dev.ambit.ztunnel.proxy;

import static dev.ambit.ztunnel.state.Fixtures.pod;
import static dev.ambit.ztunnel.state.Fixtures.resource;
import static dev.ambit.ztunnel.state.Fixtures.resources;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ambit.transport.netns.Netns;
import dev.ambit.ztunnel.identity.TestCa;
import dev.ambit.ztunnel.telemetry.ConnectionRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Short request-response connections (the server application answers and closes, as an HTTP server
 * does with {@code Connection: close}) between a client pod and a server pod on two ztunnels, each
 * pod in its own network namespace with the node agent's redirection rules: every response arrives
 * whole, both ztunnels log each connection as "ok", and ending a connection constructs no {@code
 * ChannelOutputShutdownException} (the relay's half-close used to construct one per connection in
 * each ztunnel, stack trace included) and no {@code NotYetConnectedException} (the client's FIN,
 * arriving after the relay's, used to make the transport shut down the input of a connection that
 * was already gone).
 */
class ShortConnectionTest {

  static final String CLIENT_IP = "10.244.1.2";
  static final String SERVER_IP = "10.244.1.3";
  static final byte[] RESPONSE =
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
          .getBytes(StandardCharsets.US_ASCII);
  static final int CONNECTIONS = 30;

  final String id =
      HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
  final String clientNs = "zt3c" + id;
  final String serverNs = "zt3s" + id;
  final ListAppender<ILoggingEvent> accessLog = new ListAppender<>();
  final BlockingQueue<Long> uploaded = new LinkedBlockingQueue<>();
  Mesh node1;
  Mesh node2;
  ServerSocketChannel app;

  @BeforeEach
  void setUp() throws Exception {
    TestNet.assertRoot();
    TestNet.linkedPods(clientNs, CLIENT_IP, serverNs, SERVER_IP);
    app = Netns.run(TestNet.netns(serverNs), ServerSocketChannel::open);
    app.bind(new InetSocketAddress(SERVER_IP, 7000));
    Thread.ofVirtual().start(this::serveApp);
    TestCa ca = new TestCa("short-connections");
    node1 = new Mesh(Mesh.config(), ca);
    node2 = new Mesh(Mesh.config(), ca);
    for (Mesh m : List.of(node1, node2)) {
      m.addresses(
          resources(
              resource(pod("default", "client", "client", CLIENT_IP).setWorkloadName("client")),
              resource(pod("default", "server", "server", SERVER_IP).setWorkloadName("server"))));
    }
    TwoNodeL4Test.enroll(node1, "client", clientNs, CLIENT_IP);
    TwoNodeL4Test.enroll(node2, "server", serverNs, SERVER_IP);
    accessLog.start();
    ((Logger) LoggerFactory.getLogger(ConnectionRecord.ACCESS_LOGGER)).addAppender(accessLog);
  }

  /** Reads a request, answers it and closes: the server side ends each connection first. */
  private void serveApp() {
    while (app.isOpen()) {
      try {
        SocketChannel c = app.accept();
        Thread.ofVirtual()
            .start(
                () -> {
                  try (Socket s = c.socket();
                      InputStream in = s.getInputStream();
                      OutputStream out = s.getOutputStream()) {
                    byte[] head = new byte[1024];
                    int n = in.read(head);
                    out.write(RESPONSE);
                    if (n > 0
                        && new String(head, 0, n, StandardCharsets.US_ASCII).startsWith("PUT")) {
                      s.shutdownOutput(); // answered first; the client goes on sending
                      uploaded.add(in.transferTo(OutputStream.nullOutputStream()));
                    }
                  } catch (IOException ignored) {
                    // client gone
                  }
                });
      } catch (IOException e) {
        return;
      }
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    ((Logger) LoggerFactory.getLogger(ConnectionRecord.ACCESS_LOGGER)).detachAppender(accessLog);
    try {
      for (AutoCloseable c : new AutoCloseable[] {node1, node2, app}) {
        if (c != null) {
          c.close();
        }
      }
    } finally {
      TestNet.run("ip", "netns", "del", clientNs);
      TestNet.run("ip", "netns", "del", serverNs);
    }
  }

  private byte[] request() throws Exception {
    try (Socket s = Netns.run(TestNet.netns(clientNs), SocketChannel::open).socket()) {
      s.connect(new InetSocketAddress(SERVER_IP, 7000), 5000);
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET / HTTP/1.1\r\nHost: server\r\n\r\n".getBytes());
      return s.getInputStream().readAllBytes();
    }
  }

  @Test
  void everyResponseArrivesAndClosingConstructsNoShutdownExceptions() throws Exception {
    assertThat(request()).isEqualTo(RESPONSE); // the pooled HBONE connection is up
    await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> assertThat(accessLog.list).hasSize(2));
    ConcurrentLinkedQueue<String> thrown = new ConcurrentLinkedQueue<>();
    // The default configuration turns the instrumentation of exceptions on; the stream records
    // every one of them, unthrottled.
    try (Recording instrumentation = new Recording(Configuration.getConfiguration("default"));
        RecordingStream exceptions = new RecordingStream()) {
      instrumentation.start();
      exceptions.enable("jdk.JavaExceptionThrow").with("throttle", "1000000/s");
      exceptions.onEvent("jdk.JavaExceptionThrow", e -> thrown.add(thrownClass(e)));
      exceptions.startAsync();
      for (int i = 0; i < CONNECTIONS; i++) {
        assertThat(request()).isEqualTo(RESPONSE);
      }
      await()
          .atMost(10, TimeUnit.SECONDS)
          .untilAsserted(() -> assertThat(accessLog.list).hasSize(2 * (CONNECTIONS + 1)));
      // Events reach the stream within its flush interval; one of our own marks the end.
      new IllegalStateException("marker");
      await()
          .atMost(10, TimeUnit.SECONDS)
          .until(() -> thrown.contains(IllegalStateException.class.getName()));
    }
    assertThat(accessLog.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .allSatisfy(line -> assertThat(line).contains("\"result\":\"ok\""));
    assertThat(thrown)
        .as("exceptions constructed while %d connections were relayed and closed", CONNECTIONS)
        .doesNotContain(
            "io.netty.channel.socket.ChannelOutputShutdownException",
            "java.nio.channels.NotYetConnectedException");
  }

  @Test
  void bytesSentAfterTheServerHalfClosedStillArriveAndTheConnectionEndsOk() throws Exception {
    byte[] body = new byte[256 * 1024];
    try (Socket s = Netns.run(TestNet.netns(clientNs), SocketChannel::open).socket()) {
      s.connect(new InetSocketAddress(SERVER_IP, 7000), 5000);
      s.setSoTimeout(10_000);
      s.getOutputStream().write("PUT / HTTP/1.1\r\nHost: server\r\n\r\n".getBytes());
      assertThat(s.getInputStream().readAllBytes()).as("answer, then EOF").isEqualTo(RESPONSE);
      s.getOutputStream().write(body);
      s.shutdownOutput();
    }
    assertThat(uploaded.poll(10, TimeUnit.SECONDS))
        .as("bytes the application read after its half-close, up to EOF")
        .isEqualTo(body.length);
    await()
        .atMost(10, TimeUnit.SECONDS)
        .untilAsserted(
            () ->
                assertThat(accessLog.list)
                    .hasSize(2)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .allSatisfy(line -> assertThat(line).contains("\"result\":\"ok\"")));
  }

  private static String thrownClass(RecordedEvent e) {
    return e.getClass("thrownClass").getName();
  }
}
