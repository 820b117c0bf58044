package dev.ambit.waypoint.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class MetricsServerTest {

  @Test
  void servesMetricsAndReadiness() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    RequestMetrics metrics = new RequestMetrics();
    metrics.record(
        metrics.labels(RequestMetricsTest.KEY), 200, GrpcStatus.NONE, ResponseFlag.NONE, 1, 1, 1);
    AtomicBoolean ready = new AtomicBoolean();
    try (MetricsServer server =
            MetricsServer.start(
                group,
                NioServerSocketChannel::new,
                new InetSocketAddress("127.0.0.1", 0),
                metrics::scrape,
                ready::get);
        HttpClient http = HttpClient.newHttpClient()) {
      String base = "http://127.0.0.1:" + server.address().getPort();
      HttpResponse<String> m =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(m.statusCode()).isEqualTo(200);
      assertThat(m.body()).contains("istio_requests_total{reporter=\"waypoint\"");
      HttpRequest readyReq = HttpRequest.newBuilder(URI.create(base + "/healthz/ready")).build();
      assertThat(http.send(readyReq, HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(503);
      ready.set(true);
      assertThat(http.send(readyReq, HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(200);
    } finally {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
