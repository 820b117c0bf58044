package dev.ambit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A quickstart mesh ({@code ambit up examples/quickstart --detach}) for fault tests, one per test
 * class: what the tests do to it (kill, restart, cut) and what they look at (statuses from the curl
 * pod, component pids, logs). Needs root, like {@code ambit up}.
 */
final class FaultMesh implements AutoCloseable {

  private static final Pattern MESH_NAME = Pattern.compile("Mesh (\\w+):");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String logsName;
  private final Path home;
  private final AmbitCli ambit;
  private final String mesh;
  private final InetSocketAddress echo;
  private final List<Process> started = new ArrayList<>();

  private FaultMesh(
      String logsName, Path home, AmbitCli ambit, String mesh, InetSocketAddress echo) {
    this.logsName = logsName;
    this.home = home;
    this.ambit = ambit;
    this.mesh = mesh;
    this.echo = echo;
  }

  /** Starts the quickstart mesh with {@code upArgs} added to {@code ambit up}. */
  static FaultMesh up(String logsName, String... upArgs) throws Exception {
    assertThat(ProcessHandle.current().info().user().orElse(""))
        .as("the fault tests create network namespaces and must run as root")
        .isEqualTo("root");
    Path home = Files.createTempDirectory("ambit-faults-");
    AmbitCli ambit = new AmbitCli(home);
    List<String> args = new ArrayList<>(List.of("up", "examples/quickstart", "--detach"));
    args.addAll(List.of(upArgs));
    AmbitCli.Result up = ambit.run(args.toArray(String[]::new));
    String mesh = null;
    Matcher name = MESH_NAME.matcher(up.stdout());
    if (name.find()) {
      mesh = name.group(1);
    }
    FaultMesh m = new FaultMesh(logsName, home, ambit, mesh, null);
    try {
      assertThat(up.exitCode()).as(up.toString()).isZero();
      assertThat(mesh).as(up.toString()).isNotNull();
      AmbitCli.Result hosts = m.exec("curl", "getent", "hosts", "echo");
      assertThat(hosts.exitCode()).as(hosts.toString()).isZero();
      InetSocketAddress echo =
          new InetSocketAddress(InetAddress.getByName(hosts.stdout().split("\\s+")[0]), 8080);
      return new FaultMesh(logsName, home, ambit, mesh, echo);
    } catch (Throwable t) {
      m.close();
      throw t;
    }
  }

  String name() {
    return mesh;
  }

  Path home() {
    return home;
  }

  AmbitCli ambit() {
    return ambit;
  }

  /** A keep-alive connection from the curl pod to the echo service. */
  PodConnection openFromCurl() throws Exception {
    return PodConnection.open(mesh + "-default-curl", echo, "echo:8080");
  }

  /** The HTTP status of {@code method http://echo:8080/} from {@code pod}, "000" without one. */
  String status(String pod, String method) throws Exception {
    return exec(
            pod,
            "curl",
            "-s",
            "-m",
            "20",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            method,
            "http://echo:8080/")
        .stdout()
        .trim();
  }

  List<String> statuses(String pod, int n) throws Exception {
    List<String> codes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      codes.add(status(pod, "GET"));
    }
    return codes;
  }

  AmbitCli.Result exec(String pod, String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of("exec", pod, "--"));
    args.addAll(List.of(command));
    return ambit.run(args.toArray(String[]::new));
  }

  /**
   * Requests from the curl pod, one connection each, until {@code stop} exists; its output is one
   * status code a line.
   */
  Process startProbe(Path stop) throws IOException {
    return start(
        List.of(
            ambit.root().resolve("ambit").toString(),
            "exec",
            "curl",
            "--",
            "sh",
            "-c",
            "while [ ! -e '"
                + stop
                + "' ]; do curl -s -m 20 -o /dev/null -w '%{http_code}\\n' http://echo:8080/probe;"
                + " sleep 0.25; done"),
        null);
  }

  /** Starts a process (stopped at {@link #close} if still running); output to {@code log}. */
  Process start(List<String> command, Path log) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    if (log == null) {
      builder.redirectError(ProcessBuilder.Redirect.DISCARD);
    } else {
      builder
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    }
    builder.environment().put("AMBIT_HOME", home.toString());
    builder.environment().put("AMBIT_SKIP_BUILD", "1");
    Process p = builder.start();
    started.add(p);
    return p;
  }

  /** Pids of the mesh's processes as {@code ambit up} recorded them, by component name. */
  Map<String, Long> componentPids() throws IOException {
    Map<String, Long> pids = new TreeMap<>();
    for (JsonNode c : state().get("components")) {
      pids.put(c.get("name").asText(), c.get("pid").asLong());
    }
    return pids;
  }

  /** The log file of a component (control, ztunnel-node1, node-agent-node2...). */
  Path log(String component) throws IOException {
    for (JsonNode c : state().get("components")) {
      if (c.get("name").asText().equals(component)) {
        return Path.of(c.get("log").asText());
      }
    }
    throw new AssertionError("no component " + component);
  }

  /** The log of a pod (its containers' output). */
  Path podLog(String namespace, String pod) throws IOException {
    return log("control").resolveSibling(namespace + "_" + pod + ".log");
  }

  static List<String> lines(Path log, String... containing) throws IOException {
    return Files.readAllLines(log).stream()
        .filter(l -> List.of(containing).stream().allMatch(l::contains))
        .toList();
  }

  private JsonNode state() throws IOException {
    return JSON.readTree(home.resolve("mesh").resolve("state.json").toFile());
  }

  /** Stops what the test started, keeps the logs in target/e2e-logs, and takes the mesh down. */
  @Override
  public void close() throws Exception {
    for (Process p : started) {
      p.destroy();
      p.waitFor();
    }
    keepLogs();
    ambit.run("down");
    try (var files = Files.walk(home)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private void keepLogs() throws IOException {
    Path logs = home.resolve("mesh");
    if (!Files.isDirectory(logs)) {
      return;
    }
    Path kept = Path.of("target", "e2e-logs", logsName);
    try (var files = Files.walk(logs)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Path copy = kept.resolve(logs.relativize(file).toString());
        Files.createDirectories(copy.getParent());
        Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
