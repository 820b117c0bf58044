package dev.ambit.node.agent;

import dev.ambit.node.images.Images;
import dev.ambit.node.net.Commands;
import dev.ambit.node.net.MeshLayout;
import dev.ambit.node.net.NetnsOps;
import dev.ambit.node.net.PodHosts;
import dev.ambit.node.net.PodNetwork;
import dev.ambit.node.redirect.RedirectionRules;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent of one node of a local mesh: the local equivalent of a kubelet plus CNI. It keeps
 * the pods scheduled on its node running in their own network namespaces, reports their addresses,
 * and enrolls the ones in the mesh (redirection rules + hand-off to the node's ztunnel) or releases
 * them, without restarting them, when their enrollment changes.
 *
 * <p>It is level-triggered: every view from the control plane, and a periodic tick, reconcile the
 * node toward the latest view; failed steps (ztunnel not ready yet, say) are retried on the next
 * tick.
 */
public final class NodeAgent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);
  private static final Duration TICK = Duration.ofSeconds(2);
  private static final Duration STOP_GRACE = Duration.ofSeconds(5);

  /** Everything the agent needs to know about its node and its surroundings. */
  public record Config(
      MeshLayout layout,
      int node,
      Path stateDir,
      Path logsDir,
      Path ztunnelSocket,
      List<String> ambitCommand) {}

  private final Config config;
  private final NodeApi api;
  private final PodNetwork network;
  private final IpAllocator ips;
  private final ZtunnelClient ztunnel;
  private final ScheduledExecutorService loop =
      Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "node-agent"));
  private final AtomicReference<NodeView> latest = new AtomicReference<>();
  private final Map<String, RunningPod> pods = new LinkedHashMap<>();
  private List<PodHosts.ServiceEntry> services = List.of();
  private AutoCloseable watch;

  public NodeAgent(Config config, NodeApi api) {
    this.config = config;
    this.api = api;
    this.network = new PodNetwork(config.layout(), config.node());
    this.ips = new IpAllocator(config.stateDir().resolve("pod-addresses.json"));
    this.ztunnel = new ZtunnelClient(config.ztunnelSocket());
  }

  /** Starts watching the control plane and reconciling. */
  public void start() throws Exception {
    watch =
        api.watch(
            MeshLayout.nodeName(config.node()),
            view -> {
              latest.set(view);
              loop.execute(this::reconcile);
            });
    loop.scheduleWithFixedDelay(
        this::reconcile, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void reconcile() {
    NodeView view = latest.get();
    if (view == null) {
      return;
    }
    try {
      Map<String, PodSpec> desired = new HashMap<>();
      view.pods().forEach(p -> desired.put(p.key(), p));
      for (String key : List.copyOf(pods.keySet())) {
        PodSpec want = desired.get(key);
        RunningPod have = pods.get(key);
        if (want == null || !sameProcesses(want, have.spec)) {
          remove(pods.remove(key));
        } else {
          have.spec = want;
        }
      }
      boolean servicesChanged = !view.services().equals(services);
      services = view.services();
      for (PodSpec spec : view.pods()) {
        RunningPod pod = pods.get(spec.key());
        if (pod == null) {
          pod = create(spec);
          pods.put(spec.key(), pod);
        } else if (servicesChanged) {
          writeHosts(pod);
        }
        if (pod.ip != null) {
          setEnrolled(pod, spec.ambient());
        }
        report(pod);
      }
    } catch (RuntimeException e) {
      log.error("reconcile failed", e);
    }
  }

  /** Label and enrollment changes apply to a running pod; other changes recreate it. */
  private static boolean sameProcesses(PodSpec a, PodSpec b) {
    return a.containers().equals(b.containers()) && a.serviceAccount().equals(b.serviceAccount());
  }

  private RunningPod create(PodSpec spec) {
    RunningPod pod = new RunningPod(spec, config.layout().podNetns(spec.namespace(), spec.name()));
    try {
      if (NetnsOps.exists(pod.netns)) {
        network.detach(pod.netns, STOP_GRACE);
      }
      int host = ips.allocate(spec.key());
      pod.ip = network.attach(pod.netns, host);
      writeHosts(pod);
      for (ContainerSpec c : spec.containers()) {
        ContainerProcess proc =
            new ContainerProcess(
                spec.key() + "/" + c.name(),
                Commands.inNetns(pod.netns, argv(c).toArray(String[]::new)),
                env(spec, c, pod.ip),
                logFile(spec),
                loop);
        pod.containers.add(proc);
        proc.start();
      }
      log.info("pod {} running at {} in netns {}", spec.key(), pod.ip, pod.netns);
    } catch (RuntimeException e) {
      log.error("pod {} failed to start: {}", spec.key(), e.getMessage());
      pod.error = e.getMessage();
    }
    return pod;
  }

  private List<String> argv(ContainerSpec c) {
    if (!c.command().isEmpty()) {
      List<String> argv = new ArrayList<>(c.command());
      argv.addAll(c.args());
      return argv;
    }
    Optional<String> builtIn = Images.builtIn(c.image());
    if (builtIn.isEmpty()) {
      throw new IllegalArgumentException(
          "container "
              + c.name()
              + ": image "
              + c.image()
              + " is not a built-in image ("
              + Images.NAMES.stream().map(n -> Images.IMAGE_PREFIX + n).toList()
              + ") and no command is given");
    }
    List<String> argv = new ArrayList<>(config.ambitCommand());
    argv.add("image");
    argv.add(builtIn.get());
    argv.addAll(c.args());
    return argv;
  }

  private Map<String, String> env(PodSpec spec, ContainerSpec c, String ip) {
    Map<String, String> env = new HashMap<>();
    env.put("POD_NAME", spec.name());
    env.put("POD_NAMESPACE", spec.namespace());
    env.put("POD_IP", ip);
    env.put("SERVICE_ACCOUNT", spec.serviceAccount());
    env.put("NODE_NAME", MeshLayout.nodeName(config.node()));
    String version = spec.labels().get("version");
    if (version != null) {
      env.put("VERSION", version);
    }
    env.putAll(c.env());
    return env;
  }

  /** The log file of a pod: {@code <logsDir>/<namespace>_<pod>.log}. */
  public static Path logFile(Path logsDir, String namespace, String pod) {
    return logsDir.resolve(namespace + "_" + pod + ".log");
  }

  private Path logFile(PodSpec spec) {
    return logFile(config.logsDir(), spec.namespace(), spec.name());
  }

  private void writeHosts(RunningPod pod) {
    PodNetwork.writeHosts(
        pod.netns, PodHosts.render(pod.spec.namespace(), pod.spec.name(), pod.ip, services));
  }

  private void setEnrolled(RunningPod pod, boolean inMesh) {
    if (inMesh == pod.enrolled) {
      return;
    }
    RedirectionRules rules = new RedirectionRules(NetnsOps.path(pod.netns));
    try {
      if (inMesh) {
        ztunnel.add(pod.spec, pod.spec.workloadUid(), NetnsOps.path(pod.netns), List.of(pod.ip));
        rules.apply();
        log.info("pod {} enrolled in the mesh", pod.spec.key());
      } else {
        rules.remove();
        ztunnel.del(pod.spec.workloadUid());
        log.info("pod {} released from the mesh", pod.spec.key());
      }
      pod.enrolled = inMesh;
      pod.enrollError = null;
    } catch (Exception e) {
      String error = (inMesh ? "enrolling: " : "releasing: ") + e.getMessage();
      if (!error.equals(pod.enrollError)) {
        log.warn("pod {}: {} (will retry)", pod.spec.key(), error);
      }
      pod.enrollError = error;
    }
  }

  private void remove(RunningPod pod) {
    log.info("pod {} deleted: stopping it", pod.spec.key());
    pod.containers.forEach(c -> c.stop(STOP_GRACE));
    if (pod.enrolled) {
      try {
        ztunnel.del(pod.spec.workloadUid());
      } catch (Exception e) {
        log.warn("pod {}: ztunnel del failed: {}", pod.spec.key(), e.getMessage());
      }
    }
    network.detach(pod.netns, STOP_GRACE);
    ips.release(pod.spec.key());
  }

  /**
   * A pod is ready (and reported Running) once its processes run, its declared ports accept
   * connections, and, if it belongs in the mesh, it is enrolled.
   */
  private void report(RunningPod pod) {
    boolean running =
        !pod.containers.isEmpty() && pod.containers.stream().allMatch(ContainerProcess::running);
    int restarts = pod.containers.stream().mapToInt(ContainerProcess::restarts).sum();
    boolean ready = running && listening(pod, restarts) && (!pod.spec.ambient() || pod.enrolled);
    String phase =
        pod.error != null ? PodReport.FAILED : ready ? PodReport.RUNNING : PodReport.PENDING;
    String message = pod.error != null ? pod.error : pod.enrollError;
    PodReport r =
        new PodReport(
            pod.spec.namespace(),
            pod.spec.name(),
            pod.ip,
            phase,
            pod.enrolled,
            ready,
            restarts,
            message);
    if (Objects.equals(r, pod.reported)) {
      return;
    }
    try {
      api.report(r);
      pod.reported = r;
    } catch (Exception e) {
      log.warn("pod {}: reporting status failed: {}", pod.spec.key(), e.getMessage());
    }
  }

  /** Whether every declared port listens; checked until it does, again after a restart. */
  private static boolean listening(RunningPod pod, int restarts) {
    if (pod.listeningSince == restarts) {
      return true;
    }
    List<Integer> ports = pod.spec.containers().stream().flatMap(c -> c.ports().stream()).toList();
    if (!ports.isEmpty() && !ListeningPorts.of(NetnsOps.path(pod.netns)).containsAll(ports)) {
      return false;
    }
    pod.listeningSince = restarts;
    return true;
  }

  /** The pods this agent runs, with their state (for tests and status). */
  public List<PodReport> reports() {
    try {
      return loop.submit(
              () -> pods.values().stream().map(p -> p.reported).filter(Objects::nonNull).toList())
          .get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops watching. Pods keep running; {@link #removeAll()} stops them. */
  @Override
  public void close() throws Exception {
    if (watch != null) {
      watch.close();
    }
    loop.shutdown();
    loop.awaitTermination(10, TimeUnit.SECONDS);
  }

  /** Stops every pod of this agent and removes their namespaces. */
  public void removeAll() throws Exception {
    loop.submit(
            () -> {
              pods.values().forEach(this::remove);
              pods.clear();
            })
        .get();
  }

  private static final class RunningPod {
    PodSpec spec;
    final String netns;
    final List<ContainerProcess> containers = new ArrayList<>();
    String ip;
    boolean enrolled;
    String error;
    String enrollError;
    PodReport reported;
    int listeningSince = -1;

    RunningPod(PodSpec spec, String netns) {
      this.spec = spec;
      this.netns = netns;
    }
  }
}
