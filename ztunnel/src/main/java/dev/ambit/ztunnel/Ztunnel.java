package dev.ambit.ztunnel;

import dev.ambit.proto.client.CaClient;
import dev.ambit.proto.client.ControlPlaneAuth;
import dev.ambit.proto.client.ControlPlaneCredentials;
import dev.ambit.proto.client.TypeUrls;
import dev.ambit.proto.client.XdsClient;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.workload.Address;
import dev.ambit.transport.hbone.HbonePool;
import dev.ambit.transport.hbone.HbonePoolConfig;
import dev.ambit.transport.identity.Pem;
import dev.ambit.transport.tls.TlsContexts;
import dev.ambit.ztunnel.admin.AdminServers;
import dev.ambit.ztunnel.authz.OpenConnections;
import dev.ambit.ztunnel.identity.CaCertificateSource;
import dev.ambit.ztunnel.identity.CertificateManager;
import dev.ambit.ztunnel.pods.PodSocketServer;
import dev.ambit.ztunnel.proxy.PodProxies;
import dev.ambit.ztunnel.proxy.ProxyContext;
import dev.ambit.ztunnel.state.StateStore;
import dev.ambit.ztunnel.state.StateWaiter;
import dev.ambit.ztunnel.telemetry.TcpMetrics;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole ztunnel process: state from the control plane over delta xDS, certificates from its CA,
 * pods from the node agent's socket, the per-pod data path, and the admin, metrics and readiness
 * endpoints. {@link #stop} drains (stop accepting, wait for connections up to the deadline) and
 * closes; a lost control plane keeps the last state while the xDS client reconnects.
 */
public final class Ztunnel implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Ztunnel.class);

  /**
   * Everything the command line decides. {@code controlPlane}: how to authenticate to the xDS/CA
   * port (node credential or service-account token).
   */
  public record Options(
      String node,
      String xds,
      ControlPlaneAuth controlPlane,
      Path podsSocket,
      AdminServers.Addresses admin,
      Duration drain,
      ZtunnelConfig config) {

    /** With the node credential in directory {@code credentials}. */
    public Options(
        String node,
        String xds,
        Path credentials,
        Path podsSocket,
        AdminServers.Addresses admin,
        Duration drain,
        ZtunnelConfig config) {
      this(
          node,
          xds,
          ControlPlaneCredentials.fromDirectory(credentials),
          podsSocket,
          admin,
          drain,
          config);
    }
  }

  private final Options options;
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(EpollIoHandler.newFactory());
  private final StateStore state = new StateStore();
  private final TcpMetrics metrics = new TcpMetrics();
  private final CaClient ca;
  private final CertificateManager certificates;
  private final HbonePool pool;
  private final PodProxies pods;
  private final XdsClient xds;
  private final AdminServers admin;
  private final PodSocketServer podSocket;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);

  private Ztunnel(Options options) throws IOException, InterruptedException {
    this.options = options;
    ControlPlaneAuth credentials = options.controlPlane();
    this.ca = new CaClient(options.xds(), credentials);
    this.certificates =
        new CertificateManager(
            new CaCertificateSource(
                ca, Pem.certificates(Files.readString(credentials.root())), Duration.ofHours(24)));
    this.pool = new HbonePool(group, HbonePoolConfig.defaults());
    ProxyContext ctx =
        new ProxyContext(
            options.config(),
            group,
            state,
            new StateWaiter(state, group),
            certificates,
            new TlsContexts(),
            pool,
            metrics,
            new OpenConnections());
    this.pods = new PodProxies(ctx);
    this.xds =
        XdsClient.builder(options.xds(), credentials)
            .nodeId("ztunnel~" + options.node())
            .subscribe(TypeUrls.ADDRESS, Address.class, state::updateAddresses)
            .subscribe(TypeUrls.AUTHORIZATION, Authorization.class, state::updateAuthorizations)
            .onSynced(() -> LOG.info("state synced from {}", options.xds()))
            .build();
    this.admin =
        new AdminServers(
            options.admin(),
            group,
            state::snapshot,
            certificates::status,
            metrics,
            () -> xds.isSynced() && !stopping.get(),
            () -> stop());
    this.podSocket = new PodSocketServer(options.podsSocket(), pods);
  }

  /** Starts a ztunnel; it runs until {@link #stop} (or {@code /quitquitquit}). */
  public static Ztunnel start(Options options) throws IOException, InterruptedException {
    Ztunnel z = new Ztunnel(options);
    z.xds.start();
    LOG.info(
        "ztunnel for node {} started (xDS {}, pods socket {}, admin {}, metrics {}, ready {})",
        options.node(),
        options.xds(),
        options.podsSocket(),
        z.admin.adminAddress(),
        z.admin.metricsAddress(),
        z.admin.readyAddress());
    return z;
  }

  public InetSocketAddress adminAddress() {
    return admin.adminAddress();
  }

  public InetSocketAddress metricsAddress() {
    return admin.metricsAddress();
  }

  public InetSocketAddress readyAddress() {
    return admin.readyAddress();
  }

  /** Drains and shuts down once; later calls wait for the first to finish. */
  public void stop() {
    if (!stopping.compareAndSet(false, true)) {
      awaitStopped();
      return;
    }
    try {
      LOG.info(
          "drain started: listeners closing, open connections continue for up to {}",
          options.drain());
      podSocket.close();
      int left = pods.drain(options.drain());
      LOG.info("drain ended: {} sockets still open at the deadline closed", left);
    } catch (IOException e) {
      LOG.warn("closing the pods socket failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      pods.close();
      xds.close();
      admin.close();
      pool.close();
      certificates.close();
      ca.close();
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      // Logged first: a process waiting for the stop exits as soon as it is counted down.
      LOG.info("stopped");
      stopped.countDown();
    }
  }

  /** Blocks until {@link #stop} has finished. */
  public void awaitStopped() {
    boolean interrupted = false;
    while (true) {
      try {
        stopped.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
