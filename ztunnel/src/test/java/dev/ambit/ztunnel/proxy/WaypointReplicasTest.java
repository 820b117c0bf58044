package dev.ambit.ztunnel.proxy;

import static dev.ambit.ztunnel.state.Fixtures.backs;
import static dev.ambit.ztunnel.state.Fixtures.pod;
import static dev.ambit.ztunnel.state.Fixtures.resource;
import static dev.ambit.ztunnel.state.Fixtures.resources;
import static dev.ambit.ztunnel.state.Fixtures.service;
import static dev.ambit.ztunnel.state.Fixtures.waypoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ambit.transport.hbone.HboneServer;
import dev.ambit.transport.hbone.ServerTlsSelector;
import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.tls.MeshTls;
import dev.ambit.ztunnel.pods.PodSpec;
import dev.ambit.ztunnel.telemetry.ConnectionRecord;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollServerSocketChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A service behind a waypoint with two replicas, one of them dead (it accepts TCP and resets the
 * connection, like a replica whose process was killed and is restarting): the client's connections
 * go to the live replica without failing, the dead one is tried again only after a while; with both
 * dead, connections are refused (never sent around the waypoint) and counted with the
 * connection-failure response flag.
 */
class WaypointReplicasTest {

  private static final SpiffeId WAYPOINT = new SpiffeId("cluster.local", "default", "waypoint");
  private static final String WAYPOINT_KEY = "default/waypoint.default.svc.cluster.local";

  private final String net = TestNet.loopbackPrefix();
  private final String clientIp = net + "2";
  private final String deadIp = net + "8";
  private final String liveIp = net + "9";
  private final ListAppender<ILoggingEvent> accessLog = new ListAppender<>();
  private final AtomicInteger deadAccepts = new AtomicInteger();
  private Mesh mesh;
  private ServerSocket dead;
  private Channel live;

  @BeforeEach
  void setUp() throws Exception {
    TestNet.assertRoot();
    mesh = new Mesh(Mesh.config());
    mesh.addresses(
        resources(
            resource(pod("default", "client", "client", clientIp).setWorkloadName("client")),
            resource(
                service("default", "echo", net + "200", 80, 8080)
                    .setWaypoint(waypoint(net + "201"))),
            resource(service("default", "waypoint", net + "201", 15008, 15008)),
            resource(
                backs(
                    pod("default", "waypoint-0", "waypoint", deadIp).setWorkloadName("waypoint-0"),
                    WAYPOINT_KEY,
                    15008,
                    15008)),
            resource(
                backs(
                    pod("default", "waypoint-1", "waypoint", liveIp).setWorkloadName("waypoint-1"),
                    WAYPOINT_KEY,
                    15008,
                    15008))));
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
    dead = new ServerSocket();
    dead.bind(new InetSocketAddress(deadIp, 15008));
    Thread.ofVirtual().start(this::resetEachConnection);
    live = echoingReplica(liveIp);
    accessLog.start();
    ((Logger) LoggerFactory.getLogger(ConnectionRecord.ACCESS_LOGGER)).addAppender(accessLog);
  }

  @AfterEach
  void tearDown() throws Exception {
    ((Logger) LoggerFactory.getLogger(ConnectionRecord.ACCESS_LOGGER)).detachAppender(accessLog);
    if (dead != null) {
      dead.close();
    }
    if (live != null) {
      live.close().sync();
    }
    if (mesh != null) {
      mesh.close();
    }
  }

  @Test
  void connectionsGoToTheLiveReplicaAndTheDeadOneIsAvoided() throws Exception {
    for (int i = 0; i < 10; i++) {
      try (Socket s = new Socket()) {
        assertThat(Socks5Client.connect(s, socks(), "echo", 80))
            .as("connection %d succeeds", i)
            .isZero();
        assertThat(DataPathTest.roundTrip(s, "request " + i)).isEqualTo("request " + i);
      }
    }
    assertThat(deadAccepts.get())
        .as("connections the dead replica saw (it is avoided once it failed)")
        .isBetween(0, 2);
  }

  @Test
  void withEveryReplicaDeadConnectionsAreRefusedWithTheConnectFlag() throws Exception {
    live.close().sync();
    live = null;
    try (ServerSocket alsoDead = new ServerSocket()) {
      alsoDead.bind(new InetSocketAddress(liveIp, 15008));
      Thread.ofVirtual().start(() -> resetEachConnection(alsoDead, new AtomicInteger()));
      try (Socket s = new Socket()) {
        assertThat(Socks5Client.connect(s, socks(), "echo", 80))
            .as("SOCKS general failure")
            .isEqualTo(1);
      }
    }
    await()
        .atMost(10, TimeUnit.SECONDS)
        .untilAsserted(
            () ->
                assertThat(accessLog.list)
                    .singleElement()
                    .satisfies(
                        e ->
                            assertThat(e.getFormattedMessage())
                                .contains("\"dst.service\":\"echo.default.svc.cluster.local\"")
                                .contains("\"result\":\"connect failed: ")));
    assertThat(mesh.metricsText())
        .containsPattern(
            "istio_tcp_connections_closed_total\\{reporter=\"source\",.*"
                + "destination_workload=\"waypoint-[01]\",.*"
                + "destination_service=\"echo.default.svc.cluster.local\",.*"
                + "response_flags=\"CONNECT\".*\\} 1\n");
  }

  private InetSocketAddress socks() {
    return new InetSocketAddress(clientIp, 15080);
  }

  private void resetEachConnection() {
    resetEachConnection(dead, deadAccepts);
  }

  /** Reads the client's first bytes (its TLS ClientHello), then resets the connection. */
  private static void resetEachConnection(ServerSocket server, AtomicInteger accepts) {
    try {
      while (true) {
        try (Socket s = server.accept()) {
          accepts.incrementAndGet();
          s.getInputStream().read(new byte[512]);
          s.setSoLinger(true, 0);
        }
      }
    } catch (IOException e) {
      // closed by the test
    }
  }

  /** A stand-in waypoint replica: accepts every CONNECT and echoes the bytes. */
  private Channel echoingReplica(String ip) throws Exception {
    HboneServer server =
        new HboneServer(
            ServerTlsSelector.fixed(MeshTls.server(mesh.ca.fetch(WAYPOINT))),
            stream -> {
              stream.accept();
              stream.channel().pipeline().addLast(new Echo());
              stream.channel().config().setAutoRead(true);
            });
    return server
        .bind(
            mesh.group, mesh.group, EpollServerSocketChannel::new, new InetSocketAddress(ip, 15008))
        .sync()
        .channel();
  }

  private static final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.writeAndFlush(msg);
    }
  }
}
