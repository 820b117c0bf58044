package dev.ambit.ztunnel.admin;

import dev.ambit.ztunnel.identity.CertificateStatus;
import dev.ambit.ztunnel.state.StateSnapshot;
import dev.ambit.ztunnel.telemetry.TcpMetrics;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The three HTTP listeners of ztunnel: admin (localhost: {@code /config_dump}, {@code /logging},
 * {@code /quitquitquit}), {@code /metrics} and {@code /healthz/ready}.
 */
public final class AdminServers implements AutoCloseable {

  /** Where to listen; port 0 picks a free port (tests). */
  public record Addresses(
      InetSocketAddress admin, InetSocketAddress metrics, InetSocketAddress ready) {}

  private final HttpServer admin;
  private final HttpServer metrics;
  private final HttpServer ready;

  /**
   * @param quit called (once per request) by POST {@code /quitquitquit}
   * @param isReady whether {@code /healthz/ready} answers 200
   */
  public AdminServers(
      Addresses addresses,
      EventLoopGroup group,
      Supplier<StateSnapshot> state,
      Supplier<List<CertificateStatus>> certificates,
      TcpMetrics tcpMetrics,
      BooleanSupplier isReady,
      Runnable quit)
      throws InterruptedException {
    HttpServer a = null;
    HttpServer m = null;
    try {
      a =
          HttpServer.start(
              "admin",
              addresses.admin(),
              Map.of(
                  "/config_dump", new ConfigDump(state, certificates),
                  "/logging", new LogLevels(),
                  "/quitquitquit", quitEndpoint(quit)),
              group);
      m =
          HttpServer.start(
              "metrics", addresses.metrics(), Map.of("/metrics", metrics(tcpMetrics)), group);
      this.ready =
          HttpServer.start(
              "readiness",
              addresses.ready(),
              Map.of(
                  "/healthz/ready",
                  (method, query) ->
                      isReady.getAsBoolean()
                          ? HttpResponse.text(200, "ready\n")
                          : HttpResponse.text(503, "not ready\n")),
              group);
    } catch (InterruptedException | RuntimeException e) {
      if (a != null) {
        a.close();
      }
      if (m != null) {
        m.close();
      }
      throw e;
    }
    this.admin = a;
    this.metrics = m;
  }

  private static HttpEndpoint quitEndpoint(Runnable quit) {
    return (method, query) -> {
      if (!method.equals("POST")) {
        return HttpResponse.text(405, "use POST\n");
      }
      Thread.ofPlatform().name("quitquitquit").start(quit);
      return HttpResponse.text(200, "OK\n");
    };
  }

  private static HttpEndpoint metrics(TcpMetrics tcpMetrics) {
    return (method, query) -> {
      StringBuilder out = new StringBuilder(4096);
      tcpMetrics.writePrometheus(out);
      return new HttpResponse(200, "text/plain; version=0.0.4; charset=utf-8", out.toString());
    };
  }

  public InetSocketAddress adminAddress() {
    return admin.address();
  }

  public InetSocketAddress metricsAddress() {
    return metrics.address();
  }

  public InetSocketAddress readyAddress() {
    return ready.address();
  }

  @Override
  public void close() {
    admin.close();
    metrics.close();
    ready.close();
  }
}
