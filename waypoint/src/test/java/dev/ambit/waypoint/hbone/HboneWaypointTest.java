package dev.ambit.waypoint.hbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ambit.transport.hbone.HboneException;
import dev.ambit.transport.hbone.HbonePool;
import dev.ambit.transport.hbone.HbonePoolConfig;
import dev.ambit.transport.hbone.HboneServer;
import dev.ambit.transport.hbone.HboneTarget;
import dev.ambit.transport.hbone.RelayCounters;
import dev.ambit.transport.hbone.ServerTlsSelector;
import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;
import dev.ambit.transport.tls.MeshTls;
import dev.ambit.waypoint.proxy.ProxyOptions;
import dev.ambit.waypoint.proxy.RequestTracer;
import dev.ambit.waypoint.testing.Harness;
import dev.ambit.waypoint.testing.Pki;
import dev.ambit.waypoint.testing.StreamIdH2Client;
import dev.ambit.waypoint.testing.TestClient;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole waypoint path over real mTLS on loopback: HBONE client (curl's identity) -> waypoint
 * (HBONE server, L7 proxy, HBONE client with its own identity) -> a pod's HBONE server (stands in
 * for ztunnel) -> echo server.
 */
class HboneWaypointTest {

  static final String WAYPOINT_ID = "spiffe://cluster.local/ns/shop/sa/waypoint";

  final Pki pki = new Pki();
  final WorkloadCertificate waypointCert = pki.issue(WAYPOINT_ID);
  final WorkloadCertificate curlCert = pki.issue(Harness.CLIENT);
  final List<Channel> servers = new ArrayList<>();
  final Map<String, InetSocketAddress> podHbone = new ConcurrentHashMap<>();
  final List<String> podSawPeers = new CopyOnWriteArrayList<>();
  final List<String> podSawAuthorities = new CopyOnWriteArrayList<>();
  Harness h;
  HbonePool waypointPool;
  HbonePool clientPool;
  InetSocketAddress waypoint;

  @BeforeEach
  void start() throws Exception {
    h =
        new Harness(
            ProxyOptions.defaults(),
            RequestTracer.PROPAGATE_ONLY,
            harness -> {
              waypointPool = new HbonePool(harness.group, HbonePoolConfig.defaults());
              return new HboneConnector(
                  waypointPool,
                  () -> waypointCert,
                  NioSocketChannel::new,
                  ep -> podHbone.get(ep.address().getHostAddress()));
            });
    fakePod("10.241.1.11", "spiffe://cluster.local/ns/shop/sa/reviews-v1", h.v1.address());
    fakePod("10.241.1.12", "spiffe://cluster.local/ns/shop/sa/reviews-v2", h.v2.address());
    Channel server =
        new HboneServer(
                ServerTlsSelector.fixed(MeshTls.server(waypointCert)),
                new HboneIngress(h.proxy),
                HboneIngress.MAX_TUNNELS_PER_CONNECTION)
            .bind(
                h.group,
                h.group,
                NioServerSocketChannel::new,
                new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    servers.add(server);
    waypoint = (InetSocketAddress) server.localAddress();
    clientPool = new HbonePool(h.group, HbonePoolConfig.defaults());
  }

  /** An HBONE server presenting {@code identity} that relays every tunnel to {@code echo}. */
  void fakePod(String podIp, String identity, InetSocketAddress echo) throws Exception {
    Channel server =
        new HboneServer(
                ServerTlsSelector.fixed(MeshTls.server(pki.issue(identity))),
                stream -> {
                  podSawPeers.add(stream.request().peer().uri());
                  podSawAuthorities.add(
                      stream.request().target().getAddress().getHostAddress()
                          + ":"
                          + stream.request().target().getPort());
                  new Bootstrap()
                      .group(stream.channel().eventLoop())
                      .channel(NioSocketChannel.class)
                      .option(ChannelOption.AUTO_READ, false)
                      .handler(new ChannelInboundHandlerAdapter())
                      .connect(echo)
                      .addListener(
                          f -> {
                            if (f.isSuccess()) {
                              stream.accept(
                                  ((io.netty.channel.ChannelFuture) f).channel(),
                                  RelayCounters.NONE);
                            } else {
                              stream.reject(503);
                            }
                          });
                })
            .bind(
                h.group,
                h.group,
                NioServerSocketChannel::new,
                new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    servers.add(server);
    podHbone.put(podIp, (InetSocketAddress) server.localAddress());
  }

  @AfterEach
  void stop() {
    clientPool.close();
    servers.forEach(s -> s.close().syncUninterruptibly());
    h.close();
    waypointPool.close();
  }

  Channel tunnel(String authority) throws Exception {
    return clientPool
        .connect(
            new HboneTarget(
                waypoint,
                authority,
                Set.of(SpiffeId.parse(WAYPOINT_ID)),
                Map.of("forwarded", "for=10.241.1.50")),
            curlCert,
            NioSocketChannel::new)
        .get(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest(name = "http2={0}")
  @ValueSource(booleans = {false, true})
  void requestsCrossTheWaypointOverHboneWithItsIdentity(boolean http2) throws Exception {
    TestClient c = TestClient.over(tunnel("10.96.0.10:9080"), http2);
    try {
      for (int i = 0; i < 10; i++) {
        TestClient.Response r = c.get("/hello");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.echo("name")).isIn("v1", "v2");
        assertThat(r.echo("uri")).isEqualTo("/hello");
      }
    } finally {
      c.close();
    }
    assertThat(podSawPeers).isNotEmpty().allMatch(WAYPOINT_ID::equals);
    assertThat(podSawAuthorities).isNotEmpty().allMatch(a -> a.endsWith(":8080"));
    assertThat(podSawPeers.size())
        .as("upstream streams are reused across requests")
        .isLessThanOrEqualTo(2);
    await()
        .untilAsserted(
            () ->
                assertThat(h.metrics.scrape())
                    .contains("source_workload=\"curl\"")
                    .contains("source_principal=\"" + Harness.CLIENT + "\"")
                    .contains("response_code=\"200\""));
  }

  @ParameterizedTest(name = "http2={0}")
  @ValueSource(booleans = {false, true})
  void tunnelClosesOnceTheClientEndedItsSide(boolean http2) throws Exception {
    Channel t = tunnel("10.96.0.10:9080");
    TestClient c = TestClient.over(t, http2);
    try {
      assertThat(c.get("/bye").status()).isEqualTo(200);
      dev.ambit.transport.hbone.Relay.shutdownOutput(t);
      await()
          .untilAsserted(
              () -> assertThat(t.isActive()).as("the waypoint closed its side too").isFalse());
    } finally {
      c.close();
    }
  }

  @Test
  void http2ClientsThatStartAtStreamOneAreServed() throws Exception {
    // curl, nghttp2 and grpc-go open stream 1 first; the downstream HTTP/2 server runs on an
    // HBONE stream channel (no ServerChannel parent) and must not take stream 1 for an upgrade.
    StreamIdH2Client c = StreamIdH2Client.over(tunnel("10.96.0.10:9080"));
    try {
      for (int stream = 1; stream <= 5; stream += 2) {
        TestClient.Response r = c.get(stream, "reviews:9080", "/s" + stream);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.echo("name")).isIn("v1", "v2");
        assertThat(r.echo("uri")).isEqualTo("/s" + stream);
      }
    } finally {
      c.close();
    }
    assertThat(h.v1.requestCount.get() + h.v2.requestCount.get()).isEqualTo(3);
  }

  @Test
  void tunnelsToDestinationsNotServedHereAreRefused() {
    assertThatThrownBy(() -> tunnel("10.96.0.13:9080"))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(HboneException.class)
        .hasMessageContaining("400");
    assertThat(h.v1.connections.get() + h.v2.connections.get()).isZero();
  }

  /** No request forgery through the tunnel: only destinations bound to this waypoint. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "10.96.0.10:22", // a bound service's VIP, on a port the service does not have
        "10.96.0.100:15008", // the waypoint's own service
        "10.241.1.11:22", // a bound pod, on a port no service maps to
        "10.241.1.50:8080", // a pod not bound to this waypoint
        "10.240.0.1:15012", // the control plane
        "10.240.0.11:15008", // a node
        "10.99.99.99:80", // nothing at all
        "[fd00::1]:80"
      })
  void tunnelsToAddressesWithoutAServedDestinationAreRefused(String authority) {
    assertRefusedTunnel(authority);
  }

  @Test
  void tunnelsToLoopbackAreRefused() {
    // the echo pods really listen on loopback: a forged tunnel would reach them
    assertRefusedTunnel("127.0.0.1:" + h.v1.address().getPort());
    assertRefusedTunnel("[::1]:" + h.v1.address().getPort());
  }

  void assertRefusedTunnel(String authority) {
    assertThatThrownBy(() -> tunnel(authority))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(HboneException.class)
        .hasMessageContaining("400");
    assertThat(h.v1.connections.get() + h.v2.connections.get()).isZero();
    assertThat(podSawAuthorities).isEmpty();
  }

  @Test
  void upstreamPodWithTheWrongIdentityIsNeverReached() throws Exception {
    podHbone.clear();
    fakePod("10.241.1.11", "spiffe://cluster.local/ns/shop/sa/impostor", h.v1.address());
    fakePod("10.241.1.12", "spiffe://cluster.local/ns/shop/sa/impostor", h.v2.address());
    TestClient c = TestClient.over(tunnel("10.96.0.10:9080"), false);
    try {
      TestClient.Response r = c.get("/");
      assertThat(r.status()).isEqualTo(503);
    } finally {
      c.close();
    }
    assertThat(h.v1.requestCount.get() + h.v2.requestCount.get()).isZero();
  }

  @Test
  void upstreamStreamsRunOnTheEventLoopThatAskedForThem() throws Exception {
    HboneConnector connector =
        new HboneConnector(
            waypointPool,
            () -> waypointCert,
            NioSocketChannel::new,
            ep -> podHbone.get(ep.address().getHostAddress()));
    dev.ambit.waypoint.config.Endpoint pod =
        new dev.ambit.waypoint.config.Endpoint(
            "local//Pod/shop/reviews-v1",
            "reviews-v1",
            "shop",
            "spiffe://cluster.local/ns/shop/sa/reviews-v1",
            java.net.InetAddress.getByName("10.241.1.11"),
            8080,
            true);
    for (io.netty.util.concurrent.EventExecutor e : h.group) {
      io.netty.channel.EventLoop loop = (io.netty.channel.EventLoop) e;
      Channel up = connector.connect(pod, loop).get(10, TimeUnit.SECONDS);
      try {
        assertThat(up.eventLoop()).isSameAs(loop);
      } finally {
        up.close();
      }
    }
  }

  @Test
  void aClientWithManyTunnelsSpreadsThemOverSeveralConnections() throws Exception {
    int tunnels = HboneIngress.MAX_TUNNELS_PER_CONNECTION * 2 + 1;
    List<TestClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < tunnels; i++) {
        TestClient c = TestClient.over(tunnel("10.96.0.10:9080"), false);
        clients.add(c);
        assertThat(c.get("/").status()).isEqualTo(200);
      }
      assertThat(clientPool.connectionCount()).isEqualTo(3);
    } finally {
      clients.forEach(TestClient::close);
    }
  }
}
