package dev.ambit.ztunnel.proxy;

import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.workload.Address;
import dev.ambit.transport.hbone.HbonePool;
import dev.ambit.transport.hbone.HbonePoolConfig;
import dev.ambit.transport.tls.TlsContexts;
import dev.ambit.ztunnel.ZtunnelConfig;
import dev.ambit.ztunnel.authz.OpenConnections;
import dev.ambit.ztunnel.identity.CertificateManager;
import dev.ambit.ztunnel.identity.TestCa;
import dev.ambit.ztunnel.state.StateStore;
import dev.ambit.ztunnel.state.StateWaiter;
import dev.ambit.ztunnel.telemetry.TcpMetrics;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One ztunnel's data path wired to an in-process CA and a hand-fed state, for tests. */
final class Mesh implements AutoCloseable {

  final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
  final TestCa ca;
  final CertificateManager certificates;
  final StateStore state = new StateStore();
  final TcpMetrics metrics = new TcpMetrics();
  final OpenConnections open = new OpenConnections();
  final HbonePool pool;
  final ProxyContext ctx;
  final PodProxies pods;

  Mesh(ZtunnelConfig config) {
    this(config, new TestCa("mesh"), HbonePoolConfig.defaults());
  }

  Mesh(ZtunnelConfig config, HbonePoolConfig poolConfig) {
    this(config, new TestCa("mesh"), poolConfig);
  }

  /** A ztunnel whose certificates come from {@code ca} (shared by the ztunnels of one mesh). */
  Mesh(ZtunnelConfig config, TestCa ca) {
    this(config, ca, HbonePoolConfig.defaults());
  }

  private Mesh(ZtunnelConfig config, TestCa ca, HbonePoolConfig poolConfig) {
    this.ca = ca;
    this.certificates = new CertificateManager(ca);
    pool = new HbonePool(group, poolConfig);
    ctx =
        new ProxyContext(
            config,
            group,
            state,
            new StateWaiter(state, group),
            certificates,
            new TlsContexts(),
            pool,
            metrics,
            open);
    pods = new PodProxies(ctx);
  }

  /** The default ports with a short state wait. */
  static ZtunnelConfig config() {
    return new ZtunnelConfig(
        15001,
        15006,
        15008,
        15080,
        "cluster.local",
        Duration.ofMillis(500),
        Duration.ofSeconds(10),
        true);
  }

  void addresses(Map<String, Address> resources) {
    state.updateAddresses(resources, List.of());
  }

  void policies(Map<String, Authorization> resources) {
    state.updateAuthorizations(resources, List.of());
  }

  String metricsText() {
    StringBuilder out = new StringBuilder();
    metrics.writePrometheus(out);
    return out.toString();
  }

  @Override
  public void close() {
    pods.close();
    pool.close();
    certificates.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
