package dev.ambit.waypoint.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.transport.hbone.HbonePool;
import dev.ambit.transport.hbone.HbonePoolConfig;
import dev.ambit.transport.hbone.HboneServer;
import dev.ambit.transport.hbone.RelayCounters;
import dev.ambit.transport.hbone.ServerTlsSelector;
import dev.ambit.transport.tls.MeshTls;
import dev.ambit.waypoint.hbone.HboneConnector;
import dev.ambit.waypoint.testing.Harness;
import dev.ambit.waypoint.testing.Nginx;
import dev.ambit.waypoint.testing.Pki;
import dev.ambit.waypoint.testing.TestClient;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpMethod;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 through the waypoint to a real nginx serving h2c (prior knowledge), upstream over HBONE
 * (an HBONE server standing in for the pod's ztunnel relays each tunnel to nginx).
 */
class NginxH2cTest {

  final Pki pki = new Pki();
  Harness h;
  Nginx nginx;
  HbonePool pool;
  Channel pod;

  @BeforeEach
  void start() throws Exception {
    nginx = new Nginx();
    h =
        new Harness(
            ProxyOptions.defaults(),
            RequestTracer.PROPAGATE_ONLY,
            harness -> {
              pool = new HbonePool(harness.group, HbonePoolConfig.defaults());
              return new HboneConnector(
                  pool,
                  () -> pki.issue("spiffe://cluster.local/ns/shop/sa/waypoint"),
                  NioSocketChannel::new,
                  ep -> (InetSocketAddress) pod.localAddress());
            });
    pod =
        new HboneServer(
                ServerTlsSelector.fixed(
                    MeshTls.server(pki.issue("spiffe://cluster.local/ns/shop/sa/reviews-v1"))),
                stream ->
                    new Bootstrap()
                        .group(stream.channel().eventLoop())
                        .channel(NioSocketChannel.class)
                        .option(ChannelOption.AUTO_READ, false)
                        .handler(new ChannelInboundHandlerAdapter())
                        .connect(nginx.address())
                        .addListener(
                            f -> {
                              if (f.isSuccess()) {
                                stream.accept(
                                    ((io.netty.channel.ChannelFuture) f).channel(),
                                    RelayCounters.NONE);
                              } else {
                                stream.reject(503);
                              }
                            }))
            .bind(
                h.group,
                h.group,
                NioServerSocketChannel::new,
                new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    h.config(
        List.of(
            Routes.route(
                dev.ambit.proto.waypoint.RouteRule.newBuilder()
                    .addBackends(Routes.backend("reviews-v1", 1))
                    .build())),
        List.of());
  }

  @AfterEach
  void stop() {
    try {
      pod.close().syncUninterruptibly();
      h.close();
      pool.close();
    } finally {
      nginx.close();
    }
  }

  @Test
  void h2loadRequestsAllSucceedAcrossTheServersGoaways() throws Exception {
    InetSocketAddress to = h.reviews();
    // nginx ends each connection with GOAWAY after 100 requests: new connections take over.
    String out =
        InteropTest.run(
            "h2load", "-n", "400", "-c", "4", "-m", "16", "http://127.0.0.1:" + to.getPort() + "/");
    assertThat(out).contains("400 succeeded, 0 failed, 0 errored");
    assertThat(out).contains("status codes: 400 2xx, 0 3xx, 0 4xx, 0 5xx");
    assertThat(out).contains("data").contains("(" + 400 * Nginx.BODY_BYTES + ") data");
  }

  @Test
  void concurrentStreamsWithAndWithoutBodies() throws Exception {
    TestClient c = TestClient.http2(h.group, h.reviews());
    try {
      List<String> bodies = new ArrayList<>();
      List<CompletableFuture<TestClient.Response>> puts = new ArrayList<>();
      List<CompletableFuture<TestClient.Response>> gets = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        // up to 200 KiB: larger than the initial stream window, so WINDOW_UPDATEs are needed
        String body = String.valueOf((char) ('a' + i)).repeat(1 + i * 40_000);
        bodies.add(body);
        puts.add(c.sendAsync(HttpMethod.PUT, "/files/f" + i, body));
        gets.add(c.sendAsync(HttpMethod.GET, "/page" + i, ""));
      }
      for (int i = 0; i < puts.size(); i++) {
        assertThat(puts.get(i).get(30, TimeUnit.SECONDS).status()).as("PUT %d", i).isEqualTo(201);
        TestClient.Response g = gets.get(i).get(30, TimeUnit.SECONDS);
        assertThat(g.status()).isEqualTo(200);
        assertThat(g.body()).isEqualTo("x".repeat(Nginx.BODY_BYTES));
      }
      for (int i = 0; i < bodies.size(); i++) {
        TestClient.Response back = c.get("/files/f" + i);
        assertThat(back.status()).isEqualTo(200);
        assertThat(back.body()).as("body %d as stored by nginx", i).isEqualTo(bodies.get(i));
      }
      TestClient.Response empty = c.get("/empty");
      assertThat(empty.status()).isEqualTo(204);
      assertThat(empty.body()).isEmpty();
    } finally {
      c.close();
    }
  }
}
