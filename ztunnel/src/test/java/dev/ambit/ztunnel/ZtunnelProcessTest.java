package dev.ambit.ztunnel;

import static dev.ambit.ztunnel.state.Fixtures.backs;
import static dev.ambit.ztunnel.state.Fixtures.pod;
import static dev.ambit.ztunnel.state.Fixtures.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ambit.control.ca.CaLoader;
import dev.ambit.control.ca.CaService;
import dev.ambit.control.ca.CertificateAuthority;
import dev.ambit.control.ca.Identities;
import dev.ambit.control.metrics.ControlMetrics;
import dev.ambit.control.server.SecureGrpcServer;
import dev.ambit.control.xds.DeltaAdsService;
import dev.ambit.control.xds.XdsPublisher;
import dev.ambit.control.xds.XdsResource;
import dev.ambit.control.xds.XdsSnapshot;
import dev.ambit.proto.client.TypeUrls;
import dev.ambit.proto.workload.Address;
import dev.ambit.ztunnel.admin.AdminServers;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole ztunnels against the real control plane (TLS xDS and CA on loopback): state and
 * certificates arrive over the wire, pods are handed over through the pods socket, and shutdown
 * drains while a second ztunnel alongside takes new connections.
 */
class ZtunnelProcessTest {

  static final String ECHO_KEY = "default/echo.default.svc.cluster.local";

  @TempDir Path dir;
  final String net = dev.ambit.ztunnel.proxy.TestNet.loopbackPrefix();
  final String clientIp = net + "2";
  final String serverIp = net + "3";
  final HttpClient http = HttpClient.newHttpClient();
  final List<Ztunnel> ztunnels = new ArrayList<>();
  final XdsPublisher publisher = new XdsPublisher();
  final ControlMetrics controlMetrics = new ControlMetrics();
  CertificateAuthority ca;
  SecureGrpcServer control;
  dev.ambit.ztunnel.proxy.EchoServer echo;
  Path credentials;

  @BeforeEach
  void setUp() throws Exception {
    dev.ambit.ztunnel.proxy.TestNet.assertRoot();
    CertificateAuthority ca =
        new CertificateAuthority(
            CaLoader.loadOrCreateRoot(dir.resolve("ca"), "cluster.local"),
            "cluster.local",
            Duration.ofDays(1),
            Clock.systemUTC());
    this.ca = ca;
    Map<String, XdsResource> addresses = new java.util.HashMap<>();
    for (var w :
        List.of(
            pod("default", "client", "client", clientIp).setWorkloadName("client"),
            backs(
                pod("default", "server", "server", serverIp).setWorkloadName("server"),
                ECHO_KEY,
                80,
                8080))) {
      addresses.put(
          w.getUid(), XdsResource.of(w.getUid(), Address.newBuilder().setWorkload(w).build()));
    }
    var svc = service("default", "echo", net + "200", 80, 8080);
    addresses.put(ECHO_KEY, XdsResource.of(ECHO_KEY, Address.newBuilder().setService(svc).build()));
    publisher.publish(new XdsSnapshot(1, System.nanoTime(), Map.of(TypeUrls.ADDRESS, addresses)));
    startControl(0);
    credentials = dir.resolve("node1");
    ca.issueNodeCredential("node1", Duration.ofDays(1)).writeTo(credentials);
    echo = new dev.ambit.ztunnel.proxy.EchoServer(new InetSocketAddress(serverIp, 8080));
  }

  void startControl(int port) {
    control =
        new SecureGrpcServer(
            new InetSocketAddress("127.0.0.1", port),
            ca.issueServerCredential(
                List.of(Identities.CONTROL_DNS_NAME), List.of("127.0.0.1"), Duration.ofDays(1)),
            "cluster.local",
            List.of(
                new CaService(ca, (node, id) -> null, controlMetrics),
                new DeltaAdsService(publisher, controlMetrics)));
  }

  @AfterEach
  void tearDown() throws Exception {
    CompletableFuture.allOf(
            ztunnels.stream()
                .map(z -> CompletableFuture.runAsync(z::stop))
                .toArray(CompletableFuture[]::new))
        .get(30, TimeUnit.SECONDS);
    if (echo != null) {
      echo.close();
    }
    if (control != null) {
      control.close();
    }
  }

  Ztunnel start(String name, Duration drain) throws Exception {
    InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
    Ztunnel z =
        Ztunnel.start(
            new Ztunnel.Options(
                "node1",
                "127.0.0.1:" + control.port(),
                credentials,
                dir.resolve(name + ".sock"),
                new AdminServers.Addresses(any, any, any),
                drain,
                ZtunnelConfig.defaults()));
    ztunnels.add(z);
    await()
        .atMost(20, TimeUnit.SECONDS)
        .until(() -> get(z.readyAddress(), "/healthz/ready").statusCode() == 200);
    for (String[] p :
        List.of(new String[] {"client", clientIp}, new String[] {"server", serverIp})) {
      String reply =
          podSocket(
              dir.resolve(name + ".sock"),
              "{\"type\":\"add\",\"uid\":\"local//Pod/default/"
                  + p[0]
                  + "\",\"name\":\""
                  + p[0]
                  + "\",\"namespace\":\"default\",\"serviceAccount\":\""
                  + p[0]
                  + "\",\"ips\":[\""
                  + p[1]
                  + "\"]}");
      assertThat(reply).isEqualTo("{\"ok\":true}");
    }
    return z;
  }

  HttpResponse<String> get(InetSocketAddress at, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String podSocket(Path socket, String line) throws Exception {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      Channels.newOutputStream(ch).write((line + "\n").getBytes(StandardCharsets.UTF_8));
      return new BufferedReader(
              new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8))
          .readLine();
    }
  }

  Socket socks(String host, int port) throws Exception {
    Socket s = new Socket();
    assertThat(
            dev.ambit.ztunnel.proxy.Socks5Client.connect(
                s, new InetSocketAddress(clientIp, 15080), host, port))
        .isZero();
    return s;
  }

  @Test
  void stateAndCertificatesFromTheControlPlaneCarryTraffic() throws Exception {
    Ztunnel z = start("z1", Duration.ofSeconds(1));
    try (Socket s = socks("echo.default", 80)) {
      assertThat(dev.ambit.ztunnel.proxy.DataPathTest.roundTrip(s, "over real mTLS"))
          .isEqualTo("over real mTLS");
    }
    JsonNode dump = new ObjectMapper().readTree(get(z.adminAddress(), "/config_dump").body());
    assertThat(dump.get("workloads")).hasSize(2);
    assertThat(dump.get("certificates").findValuesAsText("identity"))
        .containsExactlyInAnyOrder(
            "spiffe://cluster.local/ns/default/sa/client",
            "spiffe://cluster.local/ns/default/sa/server");
    assertThat(dump.get("certificates").findValuesAsText("state")).containsOnly("valid");
    assertThat(get(z.metricsAddress(), "/metrics").body())
        .contains(
            "istio_tcp_received_bytes_total{reporter=\"destination\",source_workload=\"client\"");
  }

  @Test
  void keepsTheLastStateWhileTheControlPlaneIsDownAndResyncsAfter() throws Exception {
    Ztunnel z = start("z1", Duration.ofSeconds(1));
    await()
        .atMost(20, TimeUnit.SECONDS)
        .until(
            () ->
                new ObjectMapper()
                    .readTree(get(z.adminAddress(), "/config_dump").body())
                    .get("certificates")
                    .findValuesAsText("state")
                    .equals(List.of("valid", "valid")));
    int port = control.port();
    control.close();
    try (Socket s = socks("echo", 80)) {
      assertThat(dev.ambit.ztunnel.proxy.DataPathTest.roundTrip(s, "control down"))
          .isEqualTo("control down");
    }
    Map<String, XdsResource> policies =
        Map.of(
            "default/deny-client",
            XdsResource.of(
                "default/deny-client",
                dev.ambit.ztunnel.proxy.DataPathTest.denyNamespaceDefaultPolicy()));
    publisher.publish(
        new XdsSnapshot(
            2,
            System.nanoTime(),
            Map.of(
                TypeUrls.ADDRESS,
                publisher.current().of(TypeUrls.ADDRESS),
                TypeUrls.AUTHORIZATION,
                policies)));
    startControl(port);
    await()
        .atMost(30, TimeUnit.SECONDS)
        .until(
            () -> {
              try (Socket s = new Socket()) {
                return dev.ambit.ztunnel.proxy.Socks5Client.connect(
                        s, new InetSocketAddress(clientIp, 15080), "echo", 80)
                    == 1;
              }
            });
  }

  @Test
  void drainKeepsOpenConnectionsUntilTheDeadlineWhileASecondZtunnelTakesNewOnes() throws Exception {
    Ztunnel old = start("old", Duration.ofSeconds(4));
    Socket longLived = socks("echo", 80);
    try (longLived) {
      assertThat(dev.ambit.ztunnel.proxy.DataPathTest.roundTrip(longLived, "before"))
          .isEqualTo("before");
      start("new", Duration.ofSeconds(1));
      CompletableFuture<Void> stopping = CompletableFuture.runAsync(old::stop);
      await()
          .atMost(10, TimeUnit.SECONDS)
          .until(
              () ->
                  get(old.readyAddress(), "/healthz/ready").statusCode() != 200
                      || stopping.isDone());
      for (int i = 0; i < 5; i++) {
        try (Socket s = socks("echo", 80)) {
          assertThat(dev.ambit.ztunnel.proxy.DataPathTest.roundTrip(s, "new " + i))
              .isEqualTo("new " + i);
        }
      }
      assertThat(stopping).isNotDone();
      assertThat(dev.ambit.ztunnel.proxy.DataPathTest.roundTrip(longLived, "during drain"))
          .isEqualTo("during drain");
      stopping.get(20, TimeUnit.SECONDS);
      await()
          .atMost(10, TimeUnit.SECONDS)
          .until(
              () -> dev.ambit.ztunnel.proxy.DataPathTest.closedByPeer(longLived.getInputStream()));
    }
  }
}
