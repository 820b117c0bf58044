package dev.ambit.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Faults on a running quickstart mesh ({@code ambit up examples/quickstart}), one mesh for the
 * class: the control plane killed and started again, and the link of the echo pods' node cut and
 * restored. What is asserted is what the curl pod sees: HTTP statuses on new connections and on a
 * connection that stays open through the fault. Needs root, like {@code ambit up}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshFaultTest {

  private static final Pattern MESH_NAME = Pattern.compile("Mesh (\\w+):");
  private static final String XDS = "10.240.0.1:15012";
  private static final String DEBUG = "10.240.0.1:15014";

  private Path home;
  private AmbitCli ambit;
  private String mesh;
  private InetSocketAddress echo;
  private Process restartedControl;

  @BeforeAll
  void up() throws Exception {
    assertThat(ProcessHandle.current().info().user().orElse(""))
        .as("the fault tests create network namespaces and must run as root")
        .isEqualTo("root");
    home = Files.createTempDirectory("ambit-faults-");
    ambit = new AmbitCli(home);
    AmbitCli.Result up = ambit.run("up", "examples/quickstart", "--detach");
    assertThat(up.exitCode()).as(up.toString()).isZero();
    Matcher name = MESH_NAME.matcher(up.stdout());
    assertThat(name.find()).as(up.toString()).isTrue();
    mesh = name.group(1);
    AmbitCli.Result hosts = exec("curl", "getent", "hosts", "echo");
    assertThat(hosts.exitCode()).as(hosts.toString()).isZero();
    echo = new InetSocketAddress(InetAddress.getByName(hosts.stdout().split("\\s+")[0]), 8080);
    assertThat(status()).isEqualTo("200");
  }

  @AfterAll
  void down() throws Exception {
    if (restartedControl != null) {
      restartedControl.destroy();
      restartedControl.waitFor();
    }
    if (home == null) {
      return;
    }
    keepLogs();
    if (ambit != null) {
      ambit.run("down");
    }
    try (var files = Files.walk(home)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** The components' and pods' logs go to target/ (before `ambit down` removes them). */
  private void keepLogs() throws IOException {
    Path logs = home.resolve("mesh");
    if (!Files.isDirectory(logs)) {
      return;
    }
    Path kept = Path.of("target", "e2e-logs", "faults");
    try (var files = Files.walk(logs)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Path copy = kept.resolve(logs.relativize(file).toString());
        Files.createDirectories(copy.getParent());
        Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  @Test
  @Order(1)
  void withoutTheControlPlaneTrafficGoesOnAndARestartResyncsWithoutDrops() throws Exception {
    Map<String, Long> pidsBefore = componentPids();
    long podStartsBefore = podStarts();
    try (PodConnection open = PodConnection.open(mesh + "-default-curl", echo, "echo:8080")) {
      assertThat(open.get("/before")).isEqualTo(200);

      ProcessHandle control = ProcessHandle.of(pidsBefore.get("control")).orElseThrow();
      control.destroyForcibly();
      await().atMost(Duration.ofSeconds(30)).until(() -> !control.isAlive());

      // Cached state and certificates: the open connection, new connections, and the policy.
      assertThat(open.get("/control-down")).isEqualTo(200);
      assertThat(statuses("curl", 3)).as("new connections from curl").containsOnly("200");
      assertThat(status("intruder", "GET")).as("the policy still applies").isEqualTo("403");

      // Requests keep flowing while the control plane starts again and the proxies resync.
      Path stop = home.resolve("probe.stop");
      Process probe = startProbe(stop);
      String controlLog = pidLog("control");
      long xdsBefore = connected(controlLog, "ztunnel~");
      restartControl(controlLog);
      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> connected(controlLog, "ztunnel~") >= xdsBefore + 2);
      await().atMost(Duration.ofMinutes(2)).until(() -> connected(controlLog, "waypoint~") >= 2);
      Files.createFile(stop);
      assertThat(probe.waitFor(3, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
      List<String> during = new String(probe.getInputStream().readAllBytes()).lines().toList();
      assertThat(during).as("requests during the restart and resync").hasSizeGreaterThan(10);
      assertThat(during).containsOnly("200");

      assertThat(open.get("/after-restart")).isEqualTo(200);
    }
    assertThat(statuses("curl", 3)).containsOnly("200");
    assertThat(status("intruder", "GET")).isEqualTo("403");
    Map<String, Long> pidsAfter = componentPids();
    pidsAfter.remove("control");
    pidsBefore.remove("control");
    assertThat(pidsAfter).as("no proxy or node agent restarted").isEqualTo(pidsBefore);
    assertThat(podStarts()).as("no pod restarted").isEqualTo(podStartsBefore);
  }

  @Test
  @Order(2)
  void aCutLinkGivesCleanErrorsAndRecoversWhenRestored() throws Exception {
    Map<String, Long> pidsBefore = componentPids();
    try (PodConnection open = PodConnection.open(mesh + "-default-curl", echo, "echo:8080")) {
      assertThat(open.get("/before-cut")).isEqualTo(200);
      // The echo pods live on node2; its only link is its veth on the fabric bridge.
      link("down");
      try {
        AmbitCli.Result call =
            exec(
                "curl",
                "curl",
                "-s",
                "-m",
                "60",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code} %{time_total}",
                "http://echo:8080/cut");
        String[] result = call.stdout().trim().split(" ");
        assertThat(result[0])
            .as("an answer from the mesh before the client gives up: " + call)
            .matches("50[234]");
      } finally {
        link("up");
      }
      await()
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> status().equals("200"));
      assertThat(open.get("/after-cut")).as("the connection open through the cut").isEqualTo(200);
    }
    assertThat(statuses("curl", 3)).containsOnly("200");
    assertThat(componentPids()).as("nothing restarted").isEqualTo(pidsBefore);
  }

  private void link(String state) throws Exception {
    AmbitCli.Result r =
        ambit.exec(List.of("ip", "-n", mesh + "-fabric", "link", "set", "n2", state));
    assertThat(r.exitCode()).as(r.toString()).isZero();
  }

  /** Starts the control plane again the way {@code ambit up} does: in the fabric netns. */
  private void restartControl(String log) throws IOException {
    Files.deleteIfExists(home.resolve("control.sock"));
    ProcessBuilder builder =
        new ProcessBuilder(
                "setsid",
                "nsenter",
                "--net=/var/run/netns/" + mesh + "-fabric",
                "--",
                ambit.root().resolve("ambit").toString(),
                "control",
                "--home",
                home.toString(),
                "--xds-address",
                XDS,
                "--debug-address",
                DEBUG)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of(log).toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    builder.environment().put("AMBIT_HOME", home.toString());
    builder.environment().put("AMBIT_SKIP_BUILD", "1");
    restartedControl = builder.start();
  }

  /**
   * Requests from the curl pod, one connection each, until {@code stop} exists; one code a line.
   */
  private Process startProbe(Path stop) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(
                ambit.root().resolve("ambit").toString(),
                "exec",
                "curl",
                "--",
                "sh",
                "-c",
                "while [ ! -e '"
                    + stop
                    + "' ]; do curl -s -m 20 -o /dev/null -w '%{http_code}\\n' http://echo:8080/probe;"
                    + " sleep 0.25; done")
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put("AMBIT_HOME", home.toString());
    builder.environment().put("AMBIT_SKIP_BUILD", "1");
    return builder.start();
  }

  private Map<String, Long> componentPids() throws IOException {
    JsonNode state =
        new ObjectMapper().readTree(home.resolve("mesh").resolve("state.json").toFile());
    Map<String, Long> pids = new TreeMap<>();
    for (JsonNode c : state.get("components")) {
      pids.put(c.get("name").asText(), c.get("pid").asLong());
    }
    return pids;
  }

  private String pidLog(String component) throws IOException {
    JsonNode state =
        new ObjectMapper().readTree(home.resolve("mesh").resolve("state.json").toFile());
    for (JsonNode c : state.get("components")) {
      if (c.get("name").asText().equals(component)) {
        return c.get("log").asText();
      }
    }
    throw new AssertionError("no component " + component);
  }

  private long podStarts() throws IOException {
    long starts = 0;
    for (String agent : List.of("node-agent-node1", "node-agent-node2")) {
      starts += count(pidLog(agent), "started pid");
    }
    return starts;
  }

  /** How many times the control plane logged an xDS client of this kind connecting. */
  private static long connected(String log, String client) throws IOException {
    return Files.readAllLines(Path.of(log)).stream()
        .filter(l -> l.contains("xDS client " + client) && l.contains(" connected ("))
        .count();
  }

  private static long count(String log, String text) throws IOException {
    return Files.readAllLines(Path.of(log)).stream().filter(l -> l.contains(text)).count();
  }

  private List<String> statuses(String pod, int n) throws Exception {
    List<String> codes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      codes.add(status(pod, "GET"));
    }
    return codes;
  }

  private String status() throws Exception {
    return status("curl", "GET");
  }

  private String status(String pod, String method) throws Exception {
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

  private AmbitCli.Result exec(String pod, String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of("exec", pod, "--"));
    args.addAll(List.of(command));
    return ambit.run(args.toArray(String[]::new));
  }
}
