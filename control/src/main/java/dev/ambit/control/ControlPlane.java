package dev.ambit.control;

import dev.ambit.api.ResourceKey;
import dev.ambit.api.store.ConfigSnapshot;
import dev.ambit.api.store.ConfigStore;
import dev.ambit.control.ca.CaLoader;
import dev.ambit.control.ca.CaMaterial;
import dev.ambit.control.ca.CaService;
import dev.ambit.control.ca.CertificateAuthority;
import dev.ambit.control.ca.Identities;
import dev.ambit.control.ca.NodeAuthorizer;
import dev.ambit.control.metrics.ControlMetrics;
import dev.ambit.control.mgmt.ConfigDump;
import dev.ambit.control.mgmt.ManagementService;
import dev.ambit.control.reconcile.NodeRegistry;
import dev.ambit.control.reconcile.Scheduler;
import dev.ambit.control.reconcile.ServiceIpAllocator;
import dev.ambit.control.reconcile.WaypointController;
import dev.ambit.control.server.DebugServer;
import dev.ambit.control.server.SecureGrpcServer;
import dev.ambit.control.server.TokenAuthenticator;
import dev.ambit.control.server.UnixSocketServer;
import dev.ambit.control.state.Debouncer;
import dev.ambit.control.state.MeshState;
import dev.ambit.control.state.MeshStateBuilder;
import dev.ambit.control.state.PendingChanges;
import dev.ambit.control.xds.DeltaAdsService;
import dev.ambit.control.xds.XdsPublisher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane process: config store, reconcilers in local mode (waypoint deployments, service
 * VIPs, pod scheduling), mesh state, xDS + CA on the TLS port, the management API on {@code
 * <home>/control.sock} and metrics/debug on the debug port.
 *
 * <p>Every store change triggers a debounced rebuild (default 100 ms quiet, at most 1 s): the
 * reconcilers run, the state is computed from the resulting snapshot and published to xDS (which
 * sends each client only what changed) and to management watches.
 */
public final class ControlPlane implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

  /**
   * How the control plane is started. {@code pluginCaDir} may be null (self-signed root).
   *
   * <p>{@code localMode} (the default): the control plane owns the configuration: it persists the
   * store, schedules pods, assigns Service VIPs and keeps waypoint pods. Off when an external API
   * server owns the configuration (Kubernetes mode): the store is then only a cache of it.
   *
   * <p>{@code tokenAuthenticator} (may be null) additionally lets xDS/CA callers authenticate with
   * a bearer token instead of a node credential.
   *
   * <p>{@code configSource} (may be null) is started with the store before the first state is built
   * and before any listener opens, so proxies never see the state of a half-filled store; it
   * returns once the store holds the source's content, and is closed with the control plane.
   *
   * <p>{@code clusterId} is the cluster part of workload uids ({@code <cluster>//Pod/<ns>/<name>})
   * and the workloads' cluster id: {@value MeshStateBuilder#CLUSTER} in local mode.
   */
  public record Options(
      Path home,
      InetSocketAddress xdsAddress,
      InetSocketAddress debugAddress,
      String trustDomain,
      Path pluginCaDir,
      Duration maxCertLifetime,
      Duration debounce,
      boolean localMode,
      TokenAuthenticator tokenAuthenticator,
      Function<ConfigStore, AutoCloseable> configSource,
      String clusterId) {

    /** Local mode, node credentials only. */
    public Options(
        Path home,
        InetSocketAddress xdsAddress,
        InetSocketAddress debugAddress,
        String trustDomain,
        Path pluginCaDir,
        Duration maxCertLifetime,
        Duration debounce) {
      this(
          home,
          xdsAddress,
          debugAddress,
          trustDomain,
          pluginCaDir,
          maxCertLifetime,
          debounce,
          true,
          null,
          null,
          MeshStateBuilder.CLUSTER);
    }

    /** These options with the configuration owned by an external API server. */
    public Options external(
        TokenAuthenticator tokens, Function<ConfigStore, AutoCloseable> source) {
      return new Options(
          home,
          xdsAddress,
          debugAddress,
          trustDomain,
          pluginCaDir,
          maxCertLifetime,
          debounce,
          false,
          tokens,
          source,
          clusterId);
    }

    /** These options with {@code clusterId} as the cluster part of workload uids. */
    public Options withClusterId(String clusterId) {
      return new Options(
          home,
          xdsAddress,
          debugAddress,
          trustDomain,
          pluginCaDir,
          maxCertLifetime,
          debounce,
          localMode,
          tokenAuthenticator,
          configSource,
          clusterId);
    }

    public static Options defaults(Path home) {
      return new Options(
          home,
          new InetSocketAddress("0.0.0.0", 15012),
          new InetSocketAddress("0.0.0.0", 15014),
          "cluster.local",
          null,
          CertificateAuthority.DEFAULT_LIFETIME,
          Duration.ofMillis(100));
    }
  }

  private final Options options;
  private final ConfigStore store = new ConfigStore();
  private final NodeRegistry nodes = new NodeRegistry();
  private final ControlMetrics metrics = new ControlMetrics();
  private final XdsPublisher publisher = new XdsPublisher();
  private final MeshStateBuilder builder;
  private final Scheduler scheduler = new Scheduler(nodes);
  private final ServiceIpAllocator allocator = new ServiceIpAllocator();
  private final WaypointController waypoints = new WaypointController();
  private final CertificateAuthority ca;
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("ambit-state").factory());
  private final Debouncer debouncer;
  private final List<Consumer<MeshState>> stateListeners = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> closeables = Collections.synchronizedList(new ArrayList<>());
  private final StorePersistence persistence;
  private final PendingChanges pending = new PendingChanges();
  private volatile MeshState state;
  private long builtRevision;
  private boolean firstReconcile = true;
  private long snapshotVersion;
  private SecureGrpcServer xds;
  private DebugServer debug;

  private ControlPlane(Options options) {
    this.options = options;
    this.builder = new MeshStateBuilder(options.trustDomain(), options.clusterId());
    this.debouncer =
        new Debouncer(executor, options.debounce(), Duration.ofSeconds(1), this::rebuild);
    CaMaterial material =
        options.pluginCaDir() != null
            ? CaLoader.loadPlugin(options.pluginCaDir())
            : CaLoader.loadOrCreateRoot(options.home().resolve("ca"), options.trustDomain());
    this.ca =
        new CertificateAuthority(
            material, options.trustDomain(), options.maxCertLifetime(), Clock.systemUTC());
    this.persistence = options.localMode() ? new StorePersistence(options.home()) : null;
    if (persistence != null) {
      persistence.load(store);
    }
    this.state = builder.build(store.snapshot());
    this.builtRevision = state.config().resourceVersion();
  }

  /** Starts every listener; returns once they accept connections and the first state is built. */
  public static ControlPlane start(Options options) {
    prepareHome(options.home());
    ControlPlane cp = new ControlPlane(options);
    try {
      cp.startListeners();
    } catch (RuntimeException e) {
      cp.close();
      throw e;
    }
    return cp;
  }

  private static void prepareHome(Path home) {
    try {
      Files.createDirectories(home);
      Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + home + ": " + e.getMessage(), e);
    }
  }

  private void startListeners() {
    if (options.configSource() != null) {
      closeables.add(options.configSource().apply(store));
    }
    closeables.add(
        store.watch(
            (events, snapshot) -> {
              pending.add(events, snapshot);
              debouncer.trigger();
            }));
    try {
      executor.submit(() -> rebuild(System.nanoTime())).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("cannot build the initial state", e.getCause());
    }
    nodes.onChange(debouncer::trigger);
    NodeAuthorizer authorizer = this::refusal;
    xds =
        new SecureGrpcServer(
            options.xdsAddress(),
            ca.issueServerCredential(
                List.of(Identities.CONTROL_DNS_NAME, "localhost"),
                localAddresses(options.xdsAddress()),
                Duration.ofDays(365)),
            options.trustDomain(),
            List.of(
                new CaService(ca, authorizer, metrics), new DeltaAdsService(publisher, metrics)),
            options.tokenAuthenticator());
    closeables.add(xds);
    debug = new DebugServer(options.debugAddress(), metrics::render, () -> ConfigDump.json(state));
    closeables.add(debug);
    closeables.add(new UnixSocketServer(socket(), new ManagementService(this)));
    log.info(
        "control plane ready: xDS/CA {} (port {}), debug {} (port {}), management {}",
        options.xdsAddress(),
        xds.port(),
        options.debugAddress(),
        debug.port(),
        socket());
  }

  private static List<String> localAddresses(InetSocketAddress bind) {
    List<String> out = new ArrayList<>();
    if (!bind.getAddress().isAnyLocalAddress()) {
      out.add(bind.getAddress().getHostAddress());
    }
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          String ip = a.getHostAddress();
          int pct = ip.indexOf('%');
          out.add(pct < 0 ? ip : ip.substring(0, pct));
        }
      }
    } catch (SocketException e) {
      log.warn("cannot list local addresses for the serving certificate: {}", e.getMessage());
    }
    return out.stream().distinct().toList();
  }

  /** Why {@code node} may not have {@code id}, or null when a pod with that identity runs there. */
  private String refusal(String node, Identities.Workload id) {
    boolean ok =
        state.pods().values().stream()
            .anyMatch(
                p ->
                    p.getNode().equals(node)
                        && p.getNamespace().equals(id.namespace())
                        && p.getServiceAccount().equals(id.serviceAccount()));
    return ok
        ? null
        : "no pod with service account "
            + id.serviceAccount()
            + " in namespace "
            + id.namespace()
            + " is scheduled on node "
            + node;
  }

  private void rebuild(long firstChangeNanos) {
    try {
      Set<ResourceKey> changed = pending.takeForReconcile();
      if (options.localMode()) {
        waypoints.reconcile(store.snapshot(), store, firstReconcile ? null : changed);
        allocator.reconcile(store.snapshot(), store);
        scheduler.reconcile(store.snapshot(), store, firstReconcile ? null : changed);
      }
      firstReconcile = false;
      MeshState next = nextState();
      state = next;
      metrics.stateBuilt();
      publisher.publish(next.toXds(++snapshotVersion, firstChangeNanos));
      for (Consumer<MeshState> l : stateListeners) {
        l.accept(next);
      }
      if (persistence != null) {
        persistence.saveLater(next.config());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      metrics.internalError();
      log.error("cannot rebuild the mesh state", e);
    }
  }

  /**
   * The state of the store after the reconcilers ran: incrementally from the keys the store's watch
   * reported (waiting for the watch to catch up with the reconcilers' own writes), or by comparing
   * snapshots when the watch is behind.
   */
  private MeshState nextState() throws InterruptedException {
    ConfigSnapshot latest = store.snapshot();
    PendingChanges.Batch batch = pending.drain(latest.resourceVersion(), Duration.ofSeconds(2));
    if (batch == null || batch.snapshot().resourceVersion() < builtRevision) {
      log.warn("store watch is behind; computing the state by comparison");
      builtRevision = latest.resourceVersion();
      return builder.build(latest);
    }
    builtRevision = batch.snapshot().resourceVersion();
    return builder.update(batch.snapshot(), batch.keys());
  }

  public Path socket() {
    return options.home().resolve("control.sock");
  }

  public ConfigStore store() {
    return store;
  }

  public NodeRegistry nodes() {
    return nodes;
  }

  public CertificateAuthority ca() {
    return ca;
  }

  public MeshState state() {
    return state;
  }

  public ControlMetrics metrics() {
    return metrics;
  }

  public String trustDomain() {
    return options.trustDomain();
  }

  public int xdsPort() {
    return xds.port();
  }

  public int debugPort() {
    return debug.port();
  }

  /** Called with every new state (on the state thread; do not block). */
  public AutoCloseable onState(Consumer<MeshState> listener) {
    stateListeners.add(listener);
    return () -> stateListeners.remove(listener);
  }

  @Override
  public void close() {
    List<AutoCloseable> all = new ArrayList<>(closeables);
    Collections.reverse(all);
    for (AutoCloseable c : all) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("error while stopping: {}", e.getMessage());
      }
    }
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (persistence != null) {
      persistence.close(store.snapshot());
    }
  }
}
