package dev.ambit.ztunnel.proxy;

import static dev.ambit.ztunnel.state.Fixtures.backs;
import static dev.ambit.ztunnel.state.Fixtures.pod;
import static dev.ambit.ztunnel.state.Fixtures.resource;
import static dev.ambit.ztunnel.state.Fixtures.resources;
import static dev.ambit.ztunnel.state.Fixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ambit.ztunnel.pods.PodSpec;
import dev.ambit.ztunnel.telemetry.ConnectionRecord;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Malformed SOCKS5 on a pod's 15080 listener, from a client that writes raw bytes: each is answered
 * with the reply code SOCKS5 has for it (or closed when it is not SOCKS5 at all), the connection is
 * closed, and no connection is attempted on the client's behalf.
 */
class Socks5HostileTest {

  private static final byte[] NO_AUTH_GREETING = {5, 1, 0};

  private final String net = TestNet.loopbackPrefix();
  private final String clientIp = net + "2";
  private final String serverIp = net + "3";
  private Mesh mesh;
  private EchoServer echo;
  private final ListAppender<ILoggingEvent> accessLog = new ListAppender<>();

  @BeforeEach
  void setUp() throws Exception {
    TestNet.assertRoot();
    mesh = new Mesh(Mesh.config());
    mesh.addresses(
        resources(
            resource(pod("default", "client", "client", clientIp).setWorkloadName("client")),
            resource(
                backs(
                    pod("default", "server", "server", serverIp).setWorkloadName("server"),
                    DataPathTest.ECHO_KEY,
                    80,
                    8080)),
            resource(service("default", "echo", net + "200", 80, 8080))));
    for (String[] p :
        List.of(new String[] {"client", clientIp}, new String[] {"server", serverIp})) {
      mesh.pods
          .add(
              new PodSpec(
                  "local//Pod/default/" + p[0],
                  p[0],
                  "default",
                  p[0],
                  null,
                  List.of(InetAddress.getByName(p[1]))))
          .toCompletableFuture()
          .get(20, TimeUnit.SECONDS);
    }
    echo = new EchoServer(new InetSocketAddress(serverIp, 8080));
    accessLog.start();
    ((Logger) LoggerFactory.getLogger(ConnectionRecord.ACCESS_LOGGER)).addAppender(accessLog);
  }

  @AfterEach
  void tearDown() throws Exception {
    ((Logger) LoggerFactory.getLogger(ConnectionRecord.ACCESS_LOGGER)).detachAppender(accessLog);
    if (echo != null) {
      echo.close();
    }
    if (mesh != null) {
      mesh.close();
    }
  }

  @Test
  void wellFormedConnectByAddressIsRelayed() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream().write(NO_AUTH_GREETING);
      s.getOutputStream().write(connectIpv4(serverIp, 8080));
      InputStream in = s.getInputStream();
      assertThat(in.readNBytes(12)).startsWith(5, 0, 5, 0);
      assertThat(DataPathTest.roundTrip(s, "ping")).isEqualTo("ping");
    }
    assertThat(echo.peers).hasSize(1);
  }

  @Test
  void dataSentRightBehindTheRequestIsRelayed() throws Exception {
    // Optimistic data: greeting, request and payload in one write (it used to be dropped).
    try (Socket s = connect()) {
      java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
      all.write(NO_AUTH_GREETING);
      all.write(connectIpv4(serverIp, 8080));
      all.write("ping".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().write(all.toByteArray());
      InputStream in = s.getInputStream();
      assertThat(in.readNBytes(12)).startsWith(5, 0, 5, 0);
      assertThat(new String(in.readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
    }
  }

  @Test
  void greetingOfAnotherVersionIsClosedWithoutAnswer() throws Exception {
    assertThat(exchange(new byte[] {4, 1, 0, 80, 127, 0, 0, 1, 0})).isEmpty();
    assertRefusedWithoutConnecting();
  }

  @Test
  void greetingWithoutMethodsIsToldNoMethodIsAcceptable() throws Exception {
    assertThat(exchange(new byte[] {5, 0})).containsExactly(5, 0xff);
    assertRefusedWithoutConnecting();
  }

  @Test
  void greetingOfferingOnlyPasswordAuthIsToldNoMethodIsAcceptable() throws Exception {
    assertThat(exchange(new byte[] {5, 2, 2, (byte) 0x80})).containsExactly(5, 0xff);
    assertRefusedWithoutConnecting();
  }

  @Test
  void truncatedGreetingIsClosedAtEndOfInput() throws Exception {
    assertThat(exchange(true, new byte[] {5, 3, 0})).isEmpty();
    assertRefusedWithoutConnecting();
  }

  @Test
  void silentClientIsDisconnectedAfterTheHandshakeTimeout() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream().write(new byte[] {5});
      s.setSoTimeout((Socks5Handler.HANDSHAKE_TIMEOUT_SECONDS + 10) * 1000);
      // Not a failure of read(): the proxy closes a client that stalls mid-greeting.
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    assertRefusedWithoutConnecting();
  }

  @Test
  void requestOfAnotherVersionIsAGeneralFailure() throws Exception {
    byte[] request = connectIpv4(serverIp, 8080);
    request[0] = 4;
    assertThat(exchange(NO_AUTH_GREETING, request))
        .containsExactly(5, 0, 5, 1, 0, 1, 0, 0, 0, 0, 0, 0);
    assertRefusedWithoutConnecting();
  }

  @Test
  void unknownAddressTypeIsAddressTypeNotSupported() throws Exception {
    byte[] request = connectIpv4(serverIp, 8080);
    request[3] = 9;
    assertThat(exchange(NO_AUTH_GREETING, request))
        .containsExactly(5, 0, 5, 8, 0, 1, 0, 0, 0, 0, 0, 0);
    assertRefusedWithoutConnecting();
  }

  @Test
  void bindUdpAssociateAndUnknownCommandsAreNotSupported() throws Exception {
    for (int command : new int[] {2, 3, 9}) {
      byte[] request = connectIpv4(serverIp, 8080);
      request[1] = (byte) command;
      assertThat(exchange(NO_AUTH_GREETING, request))
          .as("command " + command)
          .containsExactly(5, 0, 5, 7, 0, 1, 0, 0, 0, 0, 0, 0);
    }
    assertRefusedWithoutConnecting();
  }

  @Test
  void unknownLongestAndOddDomainNamesAreRefused() throws Exception {
    String label = "a".repeat(63);
    String longest =
        String.join(".", label, label, label, label); // 255 bytes, the most SOCKS5 allows
    java.util.Map<String, Integer> expected = new java.util.LinkedHashMap<>();
    expected.put(longest, 4); // host unreachable: no such service
    expected.put("nosuch", 4);
    expected.put("a.b.c.d.e.f", 4);
    expected.put("", 4);
    expected.put(".", 4);
    expected.put("..", 1); // not a host name (empty label): general failure
    expected.put("echo..default", 1);
    expected.put("a".repeat(64), 1);
    expected.put("\u0000", 4);
    java.util.Map<String, Integer> actual = new java.util.LinkedHashMap<>();
    for (String name : expected.keySet()) {
      byte[] reply = exchange(NO_AUTH_GREETING, connectDomain(name, 80));
      assertThat(reply).as(name).hasSize(12).startsWith(5, 0, 5);
      actual.put(name, (int) reply[3]);
    }
    assertThat(actual).isEqualTo(expected);
    assertRefusedWithoutConnecting();
  }

  @Test
  void truncatedRequestIsClosedAtEndOfInput() throws Exception {
    byte[] request = connectDomain("echo", 80);
    byte[] truncated = java.util.Arrays.copyOf(request, 6);
    assertThat(exchange(true, NO_AUTH_GREETING, truncated)).containsExactly(5, 0);
    assertRefusedWithoutConnecting();
  }

  private void assertRefusedWithoutConnecting() {
    assertThat(echo.peers).as("connections reaching the application").isEmpty();
    assertThat(accessLog.list).as("connections proxied").isEmpty();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress(clientIp, 15080), 5000);
    s.setSoTimeout(10_000);
    return s;
  }

  /** Writes the messages and returns everything the proxy sent until it closed the connection. */
  private byte[] exchange(byte[]... messages) throws IOException {
    return exchange(false, messages);
  }

  /**
   * Like {@link #exchange(byte[]...)}; with {@code endInput} the client then closes its sending
   * side. A read timeout fails the test: the proxy must close the connection.
   */
  private byte[] exchange(boolean endInput, byte[]... messages) throws IOException {
    try (Socket s = connect()) {
      for (byte[] m : messages) {
        s.getOutputStream().write(m);
      }
      s.getOutputStream().flush();
      if (endInput) {
        s.shutdownOutput();
      }
      return s.getInputStream().readAllBytes();
    }
  }

  private static byte[] connectIpv4(String ip, int port) throws IOException {
    byte[] a = InetAddress.getByName(ip).getAddress();
    return new byte[] {5, 1, 0, 1, a[0], a[1], a[2], a[3], (byte) (port >> 8), (byte) port};
  }

  private static byte[] connectDomain(String name, int port) {
    byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
    byte[] r = new byte[7 + n.length];
    r[0] = 5;
    r[1] = 1;
    r[3] = 3;
    r[4] = (byte) n.length;
    System.arraycopy(n, 0, r, 5, n.length);
    r[5 + n.length] = (byte) (port >> 8);
    r[6 + n.length] = (byte) port;
    return r;
  }
}
