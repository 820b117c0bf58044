package dev.ambit.waypoint;

import dev.ambit.proto.client.CaClient;
import dev.ambit.proto.client.ControlPlaneAuth;
import dev.ambit.proto.client.TypeUrls;
import dev.ambit.proto.client.XdsClient;
import dev.ambit.proto.waypoint.HttpRoute;
import dev.ambit.proto.waypoint.L7Authorization;
import dev.ambit.proto.workload.Address;
import dev.ambit.transport.hbone.HbonePool;
import dev.ambit.transport.hbone.HbonePoolConfig;
import dev.ambit.transport.hbone.HboneServer;
import dev.ambit.transport.identity.Pem;
import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;
import dev.ambit.waypoint.config.ConfigStore;
import dev.ambit.waypoint.config.XdsConfigSource;
import dev.ambit.waypoint.hbone.HboneConnector;
import dev.ambit.waypoint.hbone.HboneIngress;
import dev.ambit.waypoint.identity.WaypointCertificates;
import dev.ambit.waypoint.metrics.MetricsServer;
import dev.ambit.waypoint.metrics.RequestMetrics;
import dev.ambit.waypoint.proxy.ProxyOptions;
import dev.ambit.waypoint.proxy.RequestTracer;
import dev.ambit.waypoint.proxy.WaypointProxy;
import dev.ambit.waypoint.tracing.OtelRequestTracer;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One waypoint replica: its certificate from the CA, its configuration from xDS, the HBONE listener
 * feeding the L7 proxy, HBONE upstreams, and the metrics endpoint.
 */
public final class Waypoint implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Waypoint.class);

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final NetTransport transport;
  private final EventLoopGroup group;
  private Channel listener;
  private MetricsServer metricsServer;

  private Waypoint(NetTransport transport) {
    this.transport = transport;
    this.group = new MultiThreadIoEventLoopGroup(transport.ioHandler());
  }

  /**
   * Starts everything; returns once the listeners are bound, the HBONE one after the first
   * certificate has arrived (config may still be arriving).
   */
  public static Waypoint start(WaypointSettings s) throws Exception {
    Waypoint w = new Waypoint(NetTransport.best());
    try {
      w.startAll(s);
      return w;
    } catch (Exception e) {
      w.close();
      throw e;
    }
  }

  private void startAll(WaypointSettings s) throws Exception {
    ControlPlaneAuth creds = s.controlPlane();
    CaClient ca = new CaClient(s.xds(), creds);
    resources.add(ca);
    WaypointCertificates certs =
        new WaypointCertificates(
            SpiffeId.parse(s.identity()),
            ca::createCertificate,
            Pem.certificates(Files.readString(creds.root())),
            Duration.ofHours(24),
            Clock.systemUTC());
    resources.add(certs);
    CompletableFuture<WorkloadCertificate> firstCertificate = certs.start();

    ConfigStore config = new ConfigStore(s.namespace(), s.name());
    XdsConfigSource source = new XdsConfigSource(config);
    XdsClient xds =
        XdsClient.builder(s.xds(), creds)
            .nodeId("waypoint~" + s.namespace() + "/" + s.name() + "~" + s.node())
            .subscribe(TypeUrls.ADDRESS, Address.class, source::onAddresses)
            .subscribe(TypeUrls.HTTP_ROUTE, HttpRoute.class, source::onRoutes)
            .subscribe(TypeUrls.L7_AUTHORIZATION, L7Authorization.class, source::onPolicies)
            .onSynced(source::synced)
            .build();
    resources.add(xds);
    xds.start();

    HbonePool pool = new HbonePool(group, HbonePoolConfig.defaults());
    resources.add(pool);
    RequestMetrics metrics = new RequestMetrics();
    RequestTracer tracer =
        OtelRequestTracer.fromEnvironment(System.getenv(), s.name() + "." + s.namespace());
    resources.add(tracer);
    WaypointProxy proxy =
        new WaypointProxy(
            config,
            new HboneConnector(
                pool, certs::current, transport.sockets(), HboneConnector.POD_HBONE_PORT),
            metrics,
            ProxyOptions.defaults(),
            new SecureRandom(),
            tracer);
    resources.add(proxy);
    metricsServer =
        MetricsServer.start(
            group,
            transport.serverSockets(),
            s.metrics(),
            metrics::scrape,
            () -> config.received() && certs.notAfter() != null);
    // The HBONE port opens only once the waypoint can complete a TLS handshake: an open port is
    // what the node agent (and a TCP probe) takes for ready, and a connection accepted before the
    // first certificate would be closed in its handshake.
    firstCertificate.get();
    listener =
        new HboneServer(
                certs.serverSelector(),
                new HboneIngress(proxy),
                HboneIngress.MAX_TUNNELS_PER_CONNECTION)
            .bind(group, group, transport.serverSockets(), s.listen())
            .sync()
            .channel();
    LOG.info(
        "waypoint {}/{} ({}) on node {}: HBONE on {}, metrics on {}, control plane {}",
        s.namespace(),
        s.name(),
        s.identity(),
        s.node(),
        listener.localAddress(),
        metricsServer.address(),
        s.xds());
  }

  /** Where the HBONE listener is bound. */
  public java.net.InetSocketAddress hboneAddress() {
    return (java.net.InetSocketAddress) listener.localAddress();
  }

  /** Where /metrics and /healthz/ready are served. */
  public java.net.InetSocketAddress metricsAddress() {
    return metricsServer.address();
  }

  @Override
  public void close() {
    if (listener != null) {
      listener.close().syncUninterruptibly();
    }
    if (metricsServer != null) {
      metricsServer.close();
    }
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        LOG.debug("closing {}: {}", resources.get(i), e.toString());
      }
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
