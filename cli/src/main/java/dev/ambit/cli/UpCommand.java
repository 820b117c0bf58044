package dev.ambit.cli;

import dev.ambit.cli.local.AmbitHome;
import dev.ambit.cli.local.Components;
import dev.ambit.cli.local.ControlQueries;
import dev.ambit.cli.local.LocalMesh;
import dev.ambit.cli.local.MeshState;
import dev.ambit.cli.local.MeshSummary;
import dev.ambit.cli.local.RootCheck;
import dev.ambit.node.net.MeshLayout;
import dev.ambit.node.net.MeshTopology;
import dev.ambit.node.net.NetnsOps;
import dev.ambit.proto.client.ManagementClient;
import dev.ambit.proto.control.ApplyRequest;
import dev.ambit.proto.control.ApplyResult;
import dev.ambit.proto.control.ConfigSource;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ambit up [DIR...]}: a whole mesh on this machine. Creates the fabric and node namespaces,
 * starts the control plane, a ztunnel and a node agent per node (each its own process, logs in the
 * mesh directory), applies the YAML of the given directories and waits until every pod runs.
 */
@Command(
    name = "up",
    description = "Start a local mesh (nodes and pods as network namespaces) and apply DIRs' YAML.")
final class UpCommand implements Callable<Integer> {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
  private static final long POLL_MS = 250;
  private static final long WATCH_MS = 1000;
  private static final String XDS = MeshLayout.FABRIC_ADDRESS + ":15012";

  @Spec CommandSpec spec;

  @Parameters(
      arity = "0..*",
      paramLabel = "DIR",
      description = "Directories or files of YAML to apply.")
  List<Path> sources = new ArrayList<>();

  @Option(
      names = "--nodes",
      defaultValue = "2",
      description = "Number of nodes (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--home", description = "Ambit home (default: $AMBIT_HOME, else ~/.ambit).")
  Path home;

  @Option(
      names = {"-d", "--detach"},
      description = "Return once ready and leave the mesh running.")
  boolean detach;

  @Option(
      names = "--max-cert-lifetime",
      paramLabel = "DURATION",
      description =
          "Longest workload certificate the control plane issues, ISO-8601, e.g. PT2M to watch"
              + " rotation (default: the control plane's, PT24H).")
  Duration maxCertLifetime;

  private PrintWriter out;

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!RootCheck.isRoot()) {
      err.println(RootCheck.message("up"));
      return 1;
    }
    if (nodes < 1 || nodes > MeshLayout.MAX_NODES) {
      err.println("ambit up: --nodes must be between 1 and " + MeshLayout.MAX_NODES);
      return 2;
    }
    List<String> missing = missingTools();
    if (!missing.isEmpty()) {
      err.println(
          "ambit up: needs these programs on PATH: "
              + String.join(", ", missing)
              + " (packages iproute2, iptables, util-linux)");
      return 1;
    }
    for (Path p : sources) {
      if (!Files.exists(p)) {
        err.println("ambit up: no such file or directory: " + p);
        return 2;
      }
    }
    AmbitHome h = AmbitHome.resolve(home);
    var existing = MeshState.read(h.stateFile());
    if (existing.isPresent()) {
      String fabric = new MeshLayout(existing.get().prefix()).fabricNetns();
      if (NetnsOps.exists(fabric)) {
        err.printf(
            "ambit up: mesh %s is already running (see `ambit status`); `ambit down` stops it.%n",
            existing.get().prefix());
        return 1;
      }
      out.println("Cleaning up the remains of a previous mesh...");
      LocalMesh.down(h, out);
    }
    MeshLayout layout = MeshLayout.random();
    MeshState state = new MeshState(layout.prefix(), nodes, System.currentTimeMillis(), List.of());
    state.write(h.stateFile());
    Thread downOnExit = new Thread(() -> LocalMesh.down(h, out));
    if (!detach) {
      Runtime.getRuntime().addShutdownHook(downOnExit);
    }
    try {
      state = start(h, layout, state);
    } catch (Exception e) {
      err.println("ambit up: " + e.getMessage());
      if (detach) {
        LocalMesh.down(h, out);
      }
      return 1;
    }
    if (detach) {
      out.println("The mesh keeps running; `ambit down` stops it.");
      return 0;
    }
    out.println("Press Ctrl-C to stop the mesh.");
    out.flush();
    String prefix = state.prefix();
    while (MeshState.read(h.stateFile()).filter(s -> s.prefix().equals(prefix)).isPresent()) {
      Thread.sleep(WATCH_MS);
    }
    out.println("The mesh was stopped (ambit down).");
    out.flush();
    return 0;
  }

  private MeshState start(AmbitHome h, MeshLayout layout, MeshState state) throws Exception {
    String prefix = layout.prefix();
    Path logs = h.logsDir(prefix);
    out.printf("Creating mesh %s: fabric 10.240.0.0/24 and %d nodes...%n", prefix, nodes);
    out.flush();
    new MeshTopology(layout).create(nodes);

    out.printf("Starting the control plane at %s...%n", MeshLayout.FABRIC_ADDRESS);
    out.flush();
    Files.deleteIfExists(h.controlSocket());
    MeshState.Component control =
        Components.start(
            "control", layout.fabricNetns(), logs.resolve("control.log"), h, controlArgs(h));
    state = record(h, state, control);
    awaitOrFail(
        "the control plane's socket " + h.controlSocket(),
        control,
        () -> Files.exists(h.controlSocket()));

    try (ManagementClient client = ManagementClient.connect(h.controlSocket())) {
      for (int i = 1; i <= nodes; i++) {
        String node = MeshLayout.nodeName(i);
        out.printf(
            "Starting %s (%s): ztunnel and node agent...%n", node, MeshLayout.nodeAddress(i));
        out.flush();
        Path credentials = h.credentialsDir(prefix, node);
        Files.createDirectories(credentials);
        client.registerNode(node, MeshLayout.nodeAddress(i), credentials);
        Path podsSocket = h.podsSocket(prefix, node);
        state =
            record(
                h,
                state,
                Components.start(
                    "ztunnel-" + node,
                    layout.nodeNetns(i),
                    logs.resolve("ztunnel-" + node + ".log"),
                    h,
                    "ztunnel",
                    "--node",
                    node,
                    "--xds",
                    XDS,
                    "--credentials",
                    credentials.toString(),
                    "--pods-socket",
                    podsSocket.toString(),
                    "--drain-seconds",
                    "2"));
        state =
            record(
                h,
                state,
                Components.start(
                    "node-agent-" + node,
                    layout.nodeNetns(i),
                    logs.resolve("node-agent-" + node + ".log"),
                    h,
                    "node-agent",
                    "--node",
                    node,
                    "--home",
                    h.dir().toString(),
                    "--pods-socket",
                    podsSocket.toString()));
      }
      List<Path> files = yamlFiles();
      if (!files.isEmpty()) {
        out.printf("Applying %d files...%n", files.size());
        apply(client, files);
      }
      awaitReady(h, state, client);
    }
    return state;
  }

  private String[] controlArgs(AmbitHome h) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "control",
                "--home",
                h.dir().toString(),
                "--xds-address",
                XDS,
                "--debug-address",
                MeshLayout.FABRIC_ADDRESS + ":15014"));
    if (maxCertLifetime != null) {
      args.add("--max-cert-lifetime");
      args.add(maxCertLifetime.toString());
    }
    return args.toArray(String[]::new);
  }

  private static MeshState record(AmbitHome h, MeshState state, MeshState.Component c) {
    MeshState next = state.with(c);
    next.write(h.stateFile());
    return next;
  }

  private List<Path> yamlFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path p : sources) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.list(p)) {
          s.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
              .sorted()
              .forEach(files::add);
        }
      } else {
        files.add(p);
      }
    }
    return files;
  }

  private void apply(ManagementClient client, List<Path> files) throws IOException {
    ApplyRequest.Builder req = ApplyRequest.newBuilder();
    for (Path f : files) {
      req.addSources(ConfigSource.newBuilder().setName(f.toString()).setYaml(Files.readString(f)));
    }
    try {
      for (ApplyResult r : client.stub().apply(req.build()).getResultsList()) {
        String ns = r.getRef().getNamespace();
        out.printf(
            "  %s %s%s %s%n",
            r.getRef().getKind(),
            ns.isEmpty() ? "" : ns + "/",
            r.getRef().getName(),
            r.getAction());
      }
      out.flush();
    } catch (StatusRuntimeException e) {
      throw new IllegalStateException(
          "applying the configuration failed:\n" + e.getStatus().getDescription(), e);
    }
  }

  private void awaitReady(AmbitHome h, MeshState state, ManagementClient client) throws Exception {
    MeshSummary summary = new MeshSummary(h, state);
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    String last = "";
    while (true) {
      var pods = ControlQueries.pods(client);
      long running = pods.stream().filter(MeshSummary::running).count();
      long ztunnels = 0;
      for (int i = 1; i <= nodes; i++) {
        ztunnels += summary.ztunnelReady(MeshLayout.nodeName(i)) ? 1 : 0;
      }
      String progress =
          String.format(
              "Waiting: %d/%d ztunnels ready, %d/%d pods running",
              ztunnels, nodes, running, pods.size());
      if (!progress.equals(last)) {
        out.println(progress);
        out.flush();
        last = progress;
      }
      if (summary.ready(pods)) {
        break;
      }
      for (MeshState.Component c : state.components()) {
        if (!Components.alive(c)) {
          throw new IllegalStateException(
              c.name() + " exited; its log " + c.log() + " ends with:\n" + tail(Path.of(c.log())));
        }
      }
      if (System.nanoTime() > deadline) {
        out.println(
            "Not everything is ready after "
                + READY_TIMEOUT.toSeconds()
                + "s; logs are in "
                + h.logsDir(state.prefix()));
        break;
      }
      Thread.sleep(POLL_MS);
    }
    out.println();
    summary.print(client, out);
    out.println();
    out.println(
        "Next: ambit exec POD -- CMD...  |  ambit logs POD  |  ambit status  |  ambit down");
    out.flush();
  }

  private static List<String> missingTools() {
    List<String> dirs =
        List.of(System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin").split(":"));
    return Stream.of("ip", "iptables", "iptables-restore", "nsenter", "setsid")
        .filter(t -> dirs.stream().noneMatch(d -> Files.isExecutable(Path.of(d, t))))
        .toList();
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(cannot read it: " + e.getMessage() + ")";
    }
  }

  private void awaitOrFail(String what, MeshState.Component c, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (!Components.alive(c)) {
        throw new IllegalStateException(
            c.name()
                + " exited while waiting for "
                + what
                + "; its log "
                + c.log()
                + " ends with:\n"
                + tail(Path.of(c.log())));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what + "; see " + c.log());
      }
      Thread.sleep(POLL_MS);
    }
  }
}
