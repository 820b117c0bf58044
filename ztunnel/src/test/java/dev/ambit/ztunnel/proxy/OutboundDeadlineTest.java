package dev.ambit.ztunnel.proxy;

import static dev.ambit.ztunnel.state.Fixtures.backs;
import static dev.ambit.ztunnel.state.Fixtures.pod;
import static dev.ambit.ztunnel.state.Fixtures.resource;
import static dev.ambit.ztunnel.state.Fixtures.service;
import static dev.ambit.ztunnel.state.Fixtures.waypoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ambit.proto.workload.Address;
import dev.ambit.transport.hbone.HbonePoolConfig;
import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.ztunnel.ZtunnelConfig;
import dev.ambit.ztunnel.pods.PodSpec;
import dev.ambit.ztunnel.telemetry.ConnectionRecord;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * No accepted outbound connection waits for ever: here every replica of the waypoint completes TCP
 * but never answers TLS, so each HBONE attempt fails only after the connect timeout and the
 * attempts at the next replica add up beyond the outbound deadline (state wait + certificate wait +
 * twice the connect timeout). The connection is then refused, with a warning, an access-log line
 * and response flag CONNECT.
 */
class OutboundDeadlineTest {

  private static final String WAYPOINT_KEY = "default/waypoint.default.svc.cluster.local";
  private static final int REPLICAS = 3;

  private final String net = TestNet.loopbackPrefix();
  private final String clientIp = net + "2";
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final List<ServerSocket> silentReplicas = new ArrayList<>();
  private Mesh mesh;

  @BeforeEach
  void setUp() throws Exception {
    TestNet.assertRoot();
    ZtunnelConfig config =
        new ZtunnelConfig(
            15001,
            15006,
            15008,
            15080,
            "cluster.local",
            Duration.ofMillis(50),
            Duration.ofMillis(500),
            true);
    mesh =
        new Mesh(config, new HbonePoolConfig(100, Duration.ofSeconds(60), Duration.ofSeconds(1)));
    Map<String, Address> state = new HashMap<>();
    add(state, resource(pod("default", "client", "client", clientIp)));
    add(
        state,
        resource(
            service("default", "echo", net + "200", 80, 8080).setWaypoint(waypoint(net + "201"))));
    add(state, resource(service("default", "waypoint", net + "201", 15008, 15008)));
    for (int i = 0; i < REPLICAS; i++) {
      String ip = net + (10 + i);
      add(
          state,
          resource(
              backs(pod("default", "waypoint-" + i, "waypoint", ip), WAYPOINT_KEY, 15008, 15008)));
      ServerSocket silent = new ServerSocket(); // the kernel completes TCP; TLS is never answered
      silent.bind(new InetSocketAddress(ip, 15008));
      silentReplicas.add(silent);
    }
    mesh.addresses(state);
    mesh.pods
        .add(
            new PodSpec(
                "local//Pod/default/client",
                "client",
                "default",
                "client",
                null,
                List.of(InetAddress.getByName(clientIp))))
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
    mesh.certificates
        .get(new SpiffeId("cluster.local", "default", "client"))
        .get(20, TimeUnit.SECONDS);
    logs.start();
    ((Logger) LoggerFactory.getLogger(ConnectionRecord.ACCESS_LOGGER)).addAppender(logs);
    ((Logger) LoggerFactory.getLogger(OutboundProxy.class)).addAppender(logs);
  }

  private static void add(Map<String, Address> state, Map.Entry<String, Address> e) {
    state.put(e.getKey(), e.getValue());
  }

  @AfterEach
  void tearDown() throws Exception {
    ((Logger) LoggerFactory.getLogger(ConnectionRecord.ACCESS_LOGGER)).detachAppender(logs);
    ((Logger) LoggerFactory.getLogger(OutboundProxy.class)).detachAppender(logs);
    for (ServerSocket s : silentReplicas) {
      s.close();
    }
    if (mesh != null) {
      mesh.close();
    }
  }

  @Test
  void aConnectionNotEstablishedWithinTheDeadlineIsRefusedWithALogLineAndTheConnectFlag()
      throws Exception {
    long deadline = OutboundProxy.deadline(mesh.ctx).toMillis();
    assertThat(deadline).isEqualTo(50 + 500 + 2 * 1000);
    try (Socket s = new Socket()) {
      s.setSoTimeout(20_000);
      assertThat(Socks5Client.connect(s, new InetSocketAddress(clientIp, 15080), "echo", 80))
          .as("SOCKS general failure")
          .isEqualTo(1);
    }
    await()
        .atMost(10, TimeUnit.SECONDS)
        .untilAsserted(
            () ->
                assertThat(logs.list)
                    .anySatisfy(
                        e ->
                            assertThat(e.getFormattedMessage())
                                .contains("not established within " + deadline + " ms; closing it"))
                    .anySatisfy(
                        e ->
                            assertThat(e.getFormattedMessage())
                                .contains(
                                    "\"result\":\"timeout: not established within "
                                        + deadline
                                        + " ms\"")));
    assertThat(mesh.metricsText())
        .containsPattern(
            "istio_tcp_connections_closed_total\\{reporter=\"source\",.*"
                + "destination_service=\"echo.default.svc.cluster.local\",.*"
                + "response_flags=\"CONNECT\".*\\} 1\n");
  }
}
