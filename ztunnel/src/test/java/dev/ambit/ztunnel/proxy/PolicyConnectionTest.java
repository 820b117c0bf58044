package dev.ambit.ztunnel.proxy;

import static dev.ambit.ztunnel.state.Fixtures.backs;
import static dev.ambit.ztunnel.state.Fixtures.pod;
import static dev.ambit.ztunnel.state.Fixtures.resource;
import static dev.ambit.ztunnel.state.Fixtures.resources;
import static dev.ambit.ztunnel.state.Fixtures.service;
import static org.assertj.core.api.Assertions.assertThat;
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
import dev.ambit.ztunnel.pods.PodSpec;
import dev.ambit.ztunnel.state.Fixtures;
import dev.ambit.ztunnel.telemetry.ConnectionRecord;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * L4 policy through real connections: two client pods (namespace "default" and namespace "other",
 * each with its own 127.x address) call a server pod through their SOCKS5 listeners, HBONE and the
 * server pod's inbound listener, which applies the policy. A refusal is what the client sees (the
 * SOCKS CONNECT fails, the application never gets the connection), an access-log line with the
 * reason, and a closed connection counted with {@code response_flags="DENY"}.
 */
class PolicyConnectionTest {

  final String net = TestNet.loopbackPrefix();
  final String clientIp = net + "2";
  final String serverIp = net + "3";
  final String intruderIp = net + "4";
  Mesh mesh;
  EchoServer app;
  EchoServer admin;
  final ListAppender<ILoggingEvent> accessLog = new ListAppender<>();

  @BeforeEach
  void setUp() throws Exception {
    TestNet.assertRoot();
    mesh = new Mesh(Mesh.config());
    mesh.addresses(
        resources(
            resource(pod("default", "client", "client", clientIp).setWorkloadName("client")),
            resource(pod("other", "intruder", "intruder", intruderIp).setWorkloadName("intruder")),
            resource(
                backs(
                    pod("default", "server", "server", serverIp).setWorkloadName("server"),
                    "default/echo.default.svc.cluster.local",
                    80,
                    8080)),
            resource(service("default", "echo", net + "200", 80, 8080))));
    add("default", "client", clientIp);
    add("other", "intruder", intruderIp);
    add("default", "server", serverIp);
    app = new EchoServer(new InetSocketAddress(serverIp, 8080));
    admin = new EchoServer(new InetSocketAddress(serverIp, 9090));
    accessLog.start();
    ((Logger) LoggerFactory.getLogger(ConnectionRecord.ACCESS_LOGGER)).addAppender(accessLog);
  }

  @AfterEach
  void tearDown() throws Exception {
    ((Logger) LoggerFactory.getLogger(ConnectionRecord.ACCESS_LOGGER)).detachAppender(accessLog);
    for (AutoCloseable c : new AutoCloseable[] {app, admin, mesh}) {
      if (c != null) {
        c.close();
      }
    }
  }

  void add(String ns, String name, String ip) throws Exception {
    mesh.pods
        .add(
            new PodSpec(
                "local//Pod/" + ns + "/" + name,
                name,
                ns,
                name,
                null,
                List.of(InetAddress.getByName(ip))))
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
  }

  /** Connects from the pod at {@code fromIp} to the server pod's {@code port}; true if admitted. */
  boolean admitted(String fromIp, int port) throws Exception {
    try (Socket s = new Socket()) {
      int reply = Socks5Client.connect(s, new InetSocketAddress(fromIp, 15080), serverIp, port);
      if (reply != 0) {
        assertThat(reply).as("SOCKS general failure").isEqualTo(1);
        assertThat(DataPathTest.closedByPeer(s.getInputStream())).isTrue();
        return false;
      }
      assertThat(DataPathTest.roundTrip(s, "through policy")).isEqualTo("through policy");
      return true;
    }
  }

  void policy(Action action, Match.Builder match) {
    mesh.policies(
        Map.of(
            "default/p",
            Authorization.newBuilder()
                .setNamespace("default")
                .setName("p")
                .setScope(Scope.NAMESPACE)
                .setAction(action)
                .addRules(Rule.newBuilder().addClauses(Clause.newBuilder().addMatches(match)))
                .build()));
  }

  /** The refusal of {@code fromIp}'s connection is in the access log and the DENY metrics. */
  void assertRecordedAsDenied(String fromIp, String workload, EchoServer target) {
    await()
        .atMost(10, TimeUnit.SECONDS)
        .untilAsserted(
            () ->
                assertThat(accessLog.list)
                    .map(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(
                        line ->
                            assertThat(line)
                                .contains("\"reporter\":\"destination\"")
                                .contains("\"src.addr\":\"" + fromIp + ":")
                                .contains("\"result\":\"denied: ")));
    assertThat(mesh.metricsText())
        .containsPattern(
            "istio_tcp_connections_closed_total\\{reporter=\"destination\",source_workload=\""
                + workload
                + "\",.*destination_workload=\"server\",.*response_flags=\"DENY\","
                + "connection_security_policy=\"mutual_tls\"\\} 1\n");
    assertThat(target.peers)
        .as("the application never saw the refused connection")
        .noneMatch(p -> p.getAddress().getHostAddress().equals(fromIp));
  }

  static StringMatch.Builder exact(String value) {
    return StringMatch.newBuilder().setExact(value);
  }

  @Test
  void allowByPrincipalAdmitsThatIdentityOnly() throws Exception {
    policy(
        Action.ALLOW,
        Match.newBuilder().addPrincipals(exact("cluster.local/ns/default/sa/client")));
    assertThat(admitted(clientIp, 8080)).isTrue();
    assertThat(admitted(intruderIp, 8080)).isFalse();
    assertRecordedAsDenied(intruderIp, "intruder", app);
  }

  @Test
  void allowByNamespaceAdmitsPeersOfThatNamespaceOnly() throws Exception {
    policy(Action.ALLOW, Match.newBuilder().addNamespaces(exact("default")));
    assertThat(admitted(clientIp, 8080)).isTrue();
    assertThat(admitted(intruderIp, 8080)).isFalse();
    assertRecordedAsDenied(intruderIp, "intruder", app);
  }

  @Test
  void denyByNamespaceRefusesPeersOfThatNamespaceOnly() throws Exception {
    policy(Action.DENY, Match.newBuilder().addNamespaces(exact("other")));
    assertThat(admitted(intruderIp, 8080)).isFalse();
    assertThat(admitted(clientIp, 8080)).isTrue();
    assertRecordedAsDenied(intruderIp, "intruder", app);
  }

  @Test
  void allowByPortAdmitsThatDestinationPortOnly() throws Exception {
    policy(Action.ALLOW, Match.newBuilder().addDestinationPorts(8080));
    assertThat(admitted(clientIp, 8080)).isTrue();
    assertThat(admitted(clientIp, 9090)).isFalse();
    assertRecordedAsDenied(clientIp, "client", admin);
    assertThat(accessLog.list)
        .map(ILoggingEvent::getFormattedMessage)
        .anySatisfy(l -> assertThat(l).contains("\"dst.addr\":\"" + serverIp + ":9090\""));
  }

  @Test
  void allowByIpBlockAdmitsThatSourceBlockOnly() throws Exception {
    policy(
        Action.ALLOW,
        Match.newBuilder()
            .addSourceIps(
                dev.ambit.proto.security.Address.newBuilder()
                    .setAddress(Fixtures.ip(clientIp))
                    .setLength(32)));
    assertThat(admitted(clientIp, 8080)).isTrue();
    assertThat(admitted(intruderIp, 8080)).isFalse();
    assertRecordedAsDenied(intruderIp, "intruder", app);
  }

  @Test
  void denyByIpBlockRefusesThatSourceBlockOnly() throws Exception {
    policy(
        Action.DENY,
        Match.newBuilder()
            .addSourceIps(
                dev.ambit.proto.security.Address.newBuilder()
                    .setAddress(Fixtures.ip(intruderIp))
                    .setLength(32)));
    assertThat(admitted(intruderIp, 8080)).isFalse();
    assertThat(admitted(clientIp, 8080)).isTrue();
    assertRecordedAsDenied(intruderIp, "intruder", app);
  }
}
