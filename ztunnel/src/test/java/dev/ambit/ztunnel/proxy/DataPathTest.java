package dev.ambit.ztunnel.proxy;

import static dev.ambit.ztunnel.state.Fixtures.backs;
import static dev.ambit.ztunnel.state.Fixtures.pod;
import static dev.ambit.ztunnel.state.Fixtures.resource;
import static dev.ambit.ztunnel.state.Fixtures.resources;
import static dev.ambit.ztunnel.state.Fixtures.service;
import static dev.ambit.ztunnel.state.Fixtures.waypoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ambit.proto.security.Action;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.security.Clause;
import dev.ambit.proto.security.Match;
import dev.ambit.proto.security.Rule;
import dev.ambit.proto.security.Scope;
import dev.ambit.proto.security.StringMatch;
import dev.ambit.transport.hbone.HboneException;
import dev.ambit.transport.hbone.HboneRequest;
import dev.ambit.transport.hbone.HboneServer;
import dev.ambit.transport.hbone.HboneTarget;
import dev.ambit.transport.hbone.ServerTlsSelector;
import dev.ambit.transport.identity.CertificateIssuer;
import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;
import dev.ambit.transport.tls.MeshTls;
import dev.ambit.ztunnel.identity.TestCa;
import dev.ambit.ztunnel.pods.PodSpec;
import dev.ambit.ztunnel.telemetry.ConnectionRecord;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The data path on loopback with real TLS and real HBONE: a client pod and a server pod enrolled in
 * one ztunnel, each with its own 127.x address, an echo application behind the server pod.
 */
public class DataPathTest {

  static final String ECHO_KEY = "default/echo.default.svc.cluster.local";
  static final SpiffeId CLIENT = new SpiffeId("cluster.local", "default", "client");
  static final SpiffeId SERVER = new SpiffeId("cluster.local", "default", "server");

  final String net = TestNet.loopbackPrefix();
  final String clientIp = net + "2";
  final String serverIp = net + "3";
  final String vip = net + "200";
  Mesh mesh;
  EchoServer echo;
  ListAppender<ILoggingEvent> accessLog = new ListAppender<>();

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
                    ECHO_KEY,
                    80,
                    8080)),
            resource(service("default", "echo", vip, 80, 8080))));
    add("client", clientIp, "client");
    add("server", serverIp, "server");
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

  void add(String name, String ip, String sa) throws Exception {
    mesh.pods
        .add(
            new PodSpec(
                "local//Pod/default/" + name,
                name,
                "default",
                sa,
                null,
                List.of(InetAddress.getByName(ip))))
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
  }

  InetSocketAddress socks() {
    return new InetSocketAddress(clientIp, 15080);
  }

  public static String roundTrip(Socket s, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    s.getOutputStream().write(bytes);
    s.getOutputStream().flush();
    byte[] back = s.getInputStream().readNBytes(bytes.length);
    return new String(back, StandardCharsets.UTF_8);
  }

  @Test
  void socksToServiceNameCarriesBytesThroughHboneWithMetricsAndAccessLog() throws Exception {
    try (Socket s = new Socket()) {
      assertThat(Socks5Client.connect(s, socks(), "echo.default.svc.cluster.local", 80)).isZero();
      assertThat(roundTrip(s, "hello through the mesh")).isEqualTo("hello through the mesh");
      s.shutdownOutput();
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    assertThat(echo.peers)
        .as("the application sees the client pod's address as source")
        .singleElement()
        .satisfies(p -> assertThat(p.getAddress().getHostAddress()).isEqualTo(clientIp));
    await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> assertThat(accessLog.list).hasSize(2));
    String metrics = mesh.metricsText();
    assertThat(metrics)
        .containsPattern(
            "istio_tcp_received_bytes_total\\{reporter=\"destination\",source_workload=\"client\",source_workload_namespace=\"default\","
                + "source_principal=\"spiffe://cluster.local/ns/default/sa/client\",.*destination_workload=\"server\",.*"
                + "destination_principal=\"spiffe://cluster.local/ns/default/sa/server\",.*"
                + "destination_service=\"echo.default.svc.cluster.local\",.*connection_security_policy=\"mutual_tls\"\\} 22\n")
        .containsPattern(
            "istio_tcp_sent_bytes_total\\{reporter=\"source\",source_workload=\"client\",.*destination_workload=\"server\",.*"
                + "destination_service=\"echo.default.svc.cluster.local\",.*connection_security_policy=\"mutual_tls\"\\} 22\n")
        .containsPattern("istio_tcp_connections_closed_total\\{reporter=\"source\".*\\} 1\n");
    assertThat(accessLog.list.getFirst().getFormattedMessage()).contains("\"result\":\"ok\"");
  }

  @Test
  void enrollingAPodFetchesItsCertificateBeforeAnyConnection() {
    await().atMost(10, TimeUnit.SECONDS).until(() -> mesh.ca.issued.get() == 2);
    assertThat(mesh.certificates.status())
        .extracting(s -> s.identity() + " " + s.state())
        .containsExactlyInAnyOrder(CLIENT.uri() + " valid", SERVER.uri() + " valid");
    assertThat(echo.peers).as("no connection was made").isEmpty();
  }

  @Test
  void socksByPodAddressAndShortServiceName() throws Exception {
    try (Socket s = new Socket()) {
      assertThat(Socks5Client.connect(s, socks(), serverIp, 8080)).isZero();
      assertThat(roundTrip(s, "direct")).isEqualTo("direct");
    }
    try (Socket s = new Socket()) {
      assertThat(Socks5Client.connect(s, socks(), "echo", 80)).isZero();
      assertThat(roundTrip(s, "short")).isEqualTo("short");
    }
    try (Socket s = new Socket()) {
      assertThat(Socks5Client.connect(s, socks(), "nosuch.default", 80))
          .as("host unreachable")
          .isEqualTo(4);
    }
  }

  @Test
  void denyPolicyRefusesAndPolicyChangeClosesOpenConnections() throws Exception {
    Socket open = new Socket();
    try (open) {
      assertThat(Socks5Client.connect(open, socks(), "echo", 80)).isZero();
      assertThat(roundTrip(open, "before")).isEqualTo("before");
      mesh.policies(Map.of("default/deny-client", denyNamespaceDefaultPolicy()));
      InputStream in = open.getInputStream();
      await().atMost(10, TimeUnit.SECONDS).until(() -> closedByPeer(in));
    }
    try (Socket s = new Socket()) {
      assertThat(Socks5Client.connect(s, socks(), "echo", 80))
          .as("SOCKS general failure")
          .isEqualTo(1);
    }
    await()
        .atMost(10, TimeUnit.SECONDS)
        .untilAsserted(
            () ->
                assertThat(accessLog.list)
                    .anySatisfy(
                        e ->
                            assertThat(e.getFormattedMessage())
                                .contains("policy changed: denied by default/deny-client"))
                    .anySatisfy(
                        e ->
                            assertThat(e.getFormattedMessage())
                                .contains("\"result\":\"denied: denied by default/deny-client\"")));
    assertThat(echo.peers).hasSize(1);
    assertThat(mesh.metricsText())
        .as("the connection closed by the policy change and the refused one count as DENY")
        .containsPattern(
            "istio_tcp_connections_closed_total\\{reporter=\"destination\",source_workload=\"client\",.*response_flags=\"DENY\",.*\\} 2\n");
  }

  public static boolean closedByPeer(InputStream in) {
    try {
      return in.read() == -1;
    } catch (IOException e) {
      return true;
    }
  }

  public static Authorization denyNamespaceDefaultPolicy() {
    return Authorization.newBuilder()
        .setNamespace("default")
        .setName("deny-client")
        .setScope(Scope.NAMESPACE)
        .setAction(Action.DENY)
        .addRules(
            Rule.newBuilder()
                .addClauses(
                    Clause.newBuilder()
                        .addMatches(
                            Match.newBuilder()
                                .addPrincipals(
                                    StringMatch.newBuilder()
                                        .setExact("cluster.local/ns/default/sa/client")))))
        .build();
  }

  Channel hbone(WorkloadCertificate cert, String authority) throws Throwable {
    HboneTarget target =
        new HboneTarget(
            new InetSocketAddress(serverIp, 15008), authority, Set.of(SERVER), Map.of());
    try {
      return mesh.pool.connect(target, cert, EpollSocketChannel::new).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause();
    }
  }

  @Test
  void inboundAnswers400ForABadAuthority503ForARefusedUpstream() throws Exception {
    WorkloadCertificate client = mesh.ca.fetch(CLIENT);
    assertThatThrownBy(() -> hbone(client, clientIp + ":8080"))
        .isInstanceOfSatisfying(HboneException.class, e -> assertThat(e.status()).isEqualTo(400));
    assertThatThrownBy(() -> hbone(client, serverIp + ":15008"))
        .isInstanceOfSatisfying(HboneException.class, e -> assertThat(e.status()).isEqualTo(400));
    assertThatThrownBy(() -> hbone(client, serverIp + ":9999"))
        .isInstanceOfSatisfying(HboneException.class, e -> assertThat(e.status()).isEqualTo(503));
  }

  @Test
  void inboundRefusesACertificateFromAnotherCa() throws Exception {
    TestCa other = new TestCa("other");
    assertThatThrownBy(() -> hbone(withRoots(other.fetch(CLIENT)), serverIp + ":8080"))
        .isInstanceOfSatisfying(HboneException.class, e -> assertThat(e.status()).isZero());
    assertThat(echo.peers).isEmpty();
  }

  @Test
  void inboundRefusesASelfSignedCertificateWithAValidLookingSpiffeId() throws Exception {
    assertThatThrownBy(() -> hbone(selfSigned(CLIENT), serverIp + ":8080"))
        .isInstanceOfSatisfying(HboneException.class, e -> assertThat(e.status()).isZero());
    assertThat(echo.peers).isEmpty();
  }

  @Test
  void inboundRefusesAnExpiredCertificate() throws Exception {
    mesh.ca.lifetime(java.time.Duration.ofMillis(500));
    WorkloadCertificate expired = mesh.ca.fetch(CLIENT);
    await()
        .atMost(5, TimeUnit.SECONDS)
        .until(() -> expired.notAfter().isBefore(java.time.Instant.now()));
    assertThatThrownBy(() -> hbone(expired, serverIp + ":8080"))
        .isInstanceOfSatisfying(HboneException.class, e -> assertThat(e.status()).isZero());
    assertThat(echo.peers).isEmpty();
  }

  /** A leaf signed by its own key, with a valid-looking SPIFFE SAN, trusting the mesh root. */
  WorkloadCertificate selfSigned(SpiffeId id) {
    java.security.KeyPair keys = CertificateIssuer.newKeyPair();
    java.security.cert.X509Certificate fakeIssuer =
        mesh.ca.issuer.selfSignedRoot(keys, "ambit-test", "imposter", java.time.Duration.ofDays(1));
    java.security.cert.X509Certificate leaf =
        mesh.ca.issuer.sign(
            CertificateIssuer.csr(keys, id),
            id,
            java.time.Duration.ofHours(1),
            fakeIssuer,
            keys.getPrivate());
    return new WorkloadCertificate(id, keys.getPrivate(), List.of(leaf), List.of(mesh.ca.root));
  }

  /** A certificate of another CA that trusts this mesh's root, so only the server can refuse. */
  WorkloadCertificate withRoots(WorkloadCertificate foreign) {
    return new WorkloadCertificate(
        foreign.id(), foreign.key(), foreign.chain(), List.of(mesh.ca.root));
  }

  @Test
  void waypointBoundDestinationAcceptsOnlyItsWaypoint() throws Throwable {
    mesh.addresses(
        resources(
            resource(
                backs(
                        pod("default", "server", "server", serverIp).setWorkloadName("server"),
                        ECHO_KEY,
                        80,
                        8080)
                    .setWaypoint(waypoint(net + "201"))),
            resource(service("default", "waypoint", net + "201", 15008, 15008)),
            resource(
                backs(
                    pod("default", "waypoint-0", "waypoint", net + "9"),
                    "default/waypoint.default.svc.cluster.local",
                    15008,
                    15008))));
    assertThatThrownBy(() -> hbone(mesh.ca.fetch(CLIENT), serverIp + ":8080"))
        .isInstanceOfSatisfying(HboneException.class, e -> assertThat(e.status()).isEqualTo(401));
    Channel ok =
        hbone(
            mesh.ca.fetch(new SpiffeId("cluster.local", "default", "waypoint")),
            serverIp + ":8080");
    assertThat(ok.isActive()).isTrue();
    ok.close();
  }

  /** A stand-in destination ztunnel that records CONNECT requests and answers 503. */
  Channel recordingHboneServer(String ip, SpiffeId presented, List<HboneRequest> seen)
      throws Exception {
    HboneServer server =
        new HboneServer(
            ServerTlsSelector.fixed(MeshTls.server(mesh.ca.fetch(presented))),
            stream -> {
              seen.add(stream.request());
              stream.reject(503);
            });
    return server
        .bind(
            mesh.group, mesh.group, EpollServerSocketChannel::new, new InetSocketAddress(ip, 15008))
        .sync()
        .channel();
  }

  @Test
  void outboundSendsAuthorityForwardedBaggageTraceparentAndVerifiesTheServerIdentity()
      throws Exception {
    String remoteIp = net + "5";
    String impostorIp = net + "6";
    mesh.addresses(
        resources(
            resource(pod("default", "remote", "remote", remoteIp)),
            resource(pod("default", "impostor", "expected", impostorIp))));
    List<HboneRequest> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    Channel remote =
        recordingHboneServer(remoteIp, new SpiffeId("cluster.local", "default", "remote"), seen);
    Channel impostor =
        recordingHboneServer(impostorIp, new SpiffeId("cluster.local", "default", "other"), seen);
    try {
      try (Socket s = new Socket()) {
        s.bind(new InetSocketAddress(clientIp, 0));
        assertThat(Socks5Client.connect(s, socks(), remoteIp, 9000))
            .as("the 503 fails the SOCKS CONNECT")
            .isEqualTo(1);
      }
      HboneRequest r = seen.getFirst();
      assertThat(r.target()).isEqualTo(new InetSocketAddress(remoteIp, 9000));
      assertThat(r.peer()).isEqualTo(CLIENT);
      assertThat(r.forwarded()).isEqualTo("for=" + clientIp);
      assertThat(r.baggage())
          .contains(
              "k8s.namespace.name=default", "k8s.deployment.name=client", "service.name=client");
      assertThat(r.traceparent()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");

      try (Socket s = new Socket()) {
        assertThat(Socks5Client.connect(s, socks(), impostorIp, 9000)).isEqualTo(1);
      }
      assertThat(seen).as("a server with the wrong identity never sees the CONNECT").hasSize(1);
    } finally {
      remote.close().sync();
      impostor.close().sync();
    }
  }

  @Test
  void connectionsOfAPodWithoutStateAreHeldThenRefusedNeverSentBlind() throws Exception {
    mesh.state.updateAddresses(Map.of(), List.of("local//Pod/default/client"));
    java.util.concurrent.CompletableFuture<Integer> held =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try (Socket s = new Socket()) {
                return Socks5Client.connect(s, socks(), serverIp, 8080);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    await().atMost(10, TimeUnit.SECONDS).until(() -> held.isDone());
    assertThat(held.get()).as("no state for the source pod: refused").isEqualTo(1);
    assertThat(echo.peers).isEmpty();
  }

  @Test
  void removingAPodClosesItsListenersAndConnections() throws Exception {
    Socket s = new Socket();
    try (s) {
      assertThat(Socks5Client.connect(s, socks(), "echo", 80)).isZero();
      assertThat(roundTrip(s, "x")).isEqualTo("x");
      mesh.pods.remove("local//Pod/default/client").toCompletableFuture().get(10, TimeUnit.SECONDS);
      InputStream in = s.getInputStream();
      await().atMost(10, TimeUnit.SECONDS).until(() -> closedByPeer(in));
    }
    try (Socket again = new Socket()) {
      assertThatThrownBy(() -> again.connect(socks(), 2000)).isInstanceOf(IOException.class);
    }
  }
}
