package dev.ambit.ztunnel.proxy;

import static dev.ambit.ztunnel.state.Fixtures.pod;
import static dev.ambit.ztunnel.state.Fixtures.resource;
import static dev.ambit.ztunnel.state.Fixtures.resources;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ambit.node.redirect.RedirectionRules;
import dev.ambit.proto.security.Action;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.security.Clause;
import dev.ambit.proto.security.Match;
import dev.ambit.proto.security.Rule;
import dev.ambit.proto.security.Scope;
import dev.ambit.proto.security.StringMatch;
import dev.ambit.transport.netns.Netns;
import dev.ambit.ztunnel.pods.PodSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client outside the mesh (its own namespace, joined by a veth pair) calls an enrolled pod whose
 * namespace carries the node agent's redirection rules: TPROXY delivers the connection to the
 * plaintext inbound listener (15006), which admits it as PERMISSIVE, subject to policy, and
 * connects to the application with the client's address as source.
 */
class PlaintextInboundTest {

  static final String CLIENT_IP = "10.242.1.1";
  static final String POD_IP = "10.242.1.2";

  final String id =
      HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
  final String podNs = "ztp" + id;
  final String clientNs = "ztc" + id;
  final List<InetSocketAddress> appPeers = new CopyOnWriteArrayList<>();
  Mesh mesh;
  ServerSocketChannel app;

  @BeforeEach
  void setUp() throws Exception {
    TestNet.assertRoot();
    TestNet.run("ip", "netns", "add", podNs);
    TestNet.run("ip", "netns", "add", clientNs);
    TestNet.run(
        "ip", "-n", clientNs, "link", "add", "vc", "type", "veth", "peer", "name", "vp", "netns",
        podNs);
    TestNet.run("ip", "-n", clientNs, "addr", "add", CLIENT_IP + "/24", "dev", "vc");
    TestNet.run("ip", "-n", podNs, "addr", "add", POD_IP + "/24", "dev", "vp");
    for (String ns : List.of(podNs, clientNs)) {
      TestNet.run("ip", "-n", ns, "link", "set", "lo", "up");
    }
    TestNet.run("ip", "-n", clientNs, "link", "set", "vc", "up");
    TestNet.run("ip", "-n", podNs, "link", "set", "vp", "up");
    Path pod = Path.of("/var/run/netns", podNs);
    new RedirectionRules(pod).apply();
    app = Netns.run(pod, ServerSocketChannel::open);
    app.bind(new InetSocketAddress(POD_IP, 7000));
    Thread.ofVirtual().start(this::serveApp);
    mesh = new Mesh(Mesh.config());
    mesh.addresses(resources(resource(pod("default", "app", "app", POD_IP))));
    mesh.pods
        .add(
            new PodSpec(
                "local//Pod/default/app",
                "app",
                "default",
                "app",
                pod,
                List.of(InetAddress.getByName(POD_IP))))
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
  }

  private void serveApp() {
    while (app.isOpen()) {
      try {
        SocketChannel c = app.accept();
        appPeers.add((InetSocketAddress) c.getRemoteAddress());
        Thread.ofVirtual()
            .start(
                () -> {
                  try (Socket s = c.socket();
                      InputStream in = s.getInputStream();
                      OutputStream out = s.getOutputStream()) {
                    in.transferTo(out);
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
    try {
      if (mesh != null) {
        mesh.close();
      }
      if (app != null) {
        app.close();
      }
    } finally {
      TestNet.run("ip", "netns", "del", clientNs);
      TestNet.run("ip", "netns", "del", podNs);
    }
  }

  Socket fromOutside() throws Exception {
    Socket s = Netns.run(Path.of("/var/run/netns", clientNs), SocketChannel::open).socket();
    s.connect(new InetSocketAddress(POD_IP, 7000), 5000);
    s.setSoTimeout(10_000);
    return s;
  }

  /** True when a connection from outside is reset or closed without reaching the app. */
  boolean refusedFromOutside() throws Exception {
    try (Socket s = fromOutside()) {
      s.getOutputStream().write("denied?".getBytes());
      InputStream in = s.getInputStream();
      await().atMost(10, TimeUnit.SECONDS).until(() -> DataPathTest.closedByPeer(in));
      return true;
    } catch (java.net.SocketException reset) {
      return true;
    }
  }

  @Test
  void plaintextIsAdmittedWithTheClientsAddressThenRefusedByPolicy() throws Exception {
    try (Socket s = fromOutside()) {
      assertThat(DataPathTest.roundTrip(s, "plain")).isEqualTo("plain");
    }
    assertThat(appPeers)
        .singleElement()
        .satisfies(p -> assertThat(p.getAddress().getHostAddress()).isEqualTo(CLIENT_IP));
    assertThat(mesh.metricsText())
        .containsPattern(
            "istio_tcp_received_bytes_total\\{reporter=\"destination\",source_workload=\"unknown\",.*destination_workload=\"app\",.*connection_security_policy=\"unknown\"\\} 5\n");

    mesh.policies(
        Map.of(
            "default/only-mesh",
            Authorization.newBuilder()
                .setNamespace("default")
                .setName("only-mesh")
                .setScope(Scope.NAMESPACE)
                .setAction(Action.ALLOW)
                .addRules(
                    Rule.newBuilder()
                        .addClauses(
                            Clause.newBuilder()
                                .addMatches(
                                    Match.newBuilder()
                                        .addPrincipals(
                                            StringMatch.newBuilder()
                                                .setPresence(
                                                    com.google.protobuf.Empty
                                                        .getDefaultInstance())))))
                .build()));
    assertThat(refusedFromOutside()).isTrue();
    assertThat(appPeers).hasSize(1);
  }

  /**
   * STRICT PeerAuthentication, as the control plane translates it: a DENY policy matching peers
   * without a principal, named in the workload's selected policies. Plaintext on 15006 carries no
   * identity, so it is refused; the same workload accepted it while PERMISSIVE.
   */
  @Test
  void strictPeerAuthenticationRefusesPlaintext() throws Exception {
    try (Socket s = fromOutside()) {
      assertThat(DataPathTest.roundTrip(s, "permissive")).isEqualTo("permissive");
    }
    String strict = "istio-system/istio_converted_static_strict";
    mesh.policies(
        Map.of(
            strict,
            Authorization.newBuilder()
                .setNamespace("istio-system")
                .setName("istio_converted_static_strict")
                .setScope(Scope.WORKLOAD_SELECTOR)
                .setAction(Action.DENY)
                .addRules(
                    Rule.newBuilder()
                        .addClauses(
                            Clause.newBuilder()
                                .addMatches(
                                    Match.newBuilder()
                                        .addNotPrincipals(
                                            StringMatch.newBuilder()
                                                .setPresence(
                                                    com.google.protobuf.Empty
                                                        .getDefaultInstance())))))
                .build()));
    mesh.addresses(
        resources(resource(pod("default", "app", "app", POD_IP).addAuthorizationPolicies(strict))));
    assertThat(refusedFromOutside()).isTrue();
    assertThat(appPeers).hasSize(1);
  }
}
