package dev.ambit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * The README tour, step by step, with the commands a user types: {@code ambit up
 * examples/quickstart}, calls from the curl pod through ztunnel and the waypoint, the policy
 * refusing another pod, TLS on the wire between nodes, metrics, enrolment on running pods, and
 * {@code ambit down} leaving the host as before. Needs root, like {@code ambit up}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuickstartTourTest {

  private static final Pattern MESH_NAME = Pattern.compile("Mesh (\\w+):");

  private Path home;

  private AmbitCli ambit;
  private String mesh;
  private boolean down;

  @BeforeAll
  void up() throws Exception {
    assertThat(ProcessHandle.current().info().user().orElse(""))
        .as("the end-to-end tour creates network namespaces and must run as root")
        .isEqualTo("root");
    home = Files.createTempDirectory("ambit-e2e-");
    ambit = new AmbitCli(home);
    AmbitCli.Result up = ambit.run("up", "examples/quickstart", "--detach");
    assertThat(up.exitCode()).as(up.toString()).isZero();
    Matcher name = MESH_NAME.matcher(up.stdout());
    assertThat(name.find()).as(up.toString()).isTrue();
    mesh = name.group(1);
    assertThat(up.stdout())
        .as(up.toString())
        .containsPattern("node1\\s+10\\.240\\.0\\.11\\s+ready")
        .containsPattern("node2\\s+10\\.240\\.0\\.12\\s+ready")
        .containsPattern("curl\\s+node\\d\\s+10\\.241\\.\\d\\.\\d+\\s+Running\\s+yes\\s+yes")
        .containsPattern("waypoint\\s+10\\.96\\.");
  }

  @AfterAll
  void downIfStillUp() throws Exception {
    if (ambit != null && !down) {
      ambit.run("down");
    }
    if (home != null) {
      keepLogs();
      try (var files = Files.walk(home)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  @Order(1)
  void curlReachesEchoThroughTheWaypoint() throws Exception {
    AmbitCli.Result call = exec("curl", "curl", "-sS", "-m", "20", "http://echo:8080/tour");
    assertThat(call.exitCode()).as(call.toString()).isZero();
    assertThat(call.stdout())
        .contains("\"path\" : \"/tour\"")
        .containsPattern("\"name\" : \"echo-v[12]\"")
        .contains("\"namespace\" : \"default\"")
        // The waypoint starts a trace when the client sent none.
        .contains("\"traceparent\" : \"00-");
  }

  @Test
  @Order(2)
  void theRouteSplitsNinetyTen() throws Exception {
    AmbitCli.Result calls =
        exec(
            "curl",
            "sh",
            "-c",
            "for i in $(seq 200); do curl -sS -m 20 http://echo:8080/ | grep -o '\"version\" : \"v[12]\"'; done");
    assertThat(calls.exitCode()).as(calls.toString()).isZero();
    long v1 = calls.stdout().lines().filter(l -> l.contains("v1")).count();
    long v2 = calls.stdout().lines().filter(l -> l.contains("v2")).count();
    assertThat(v1 + v2).as(calls.toString()).isEqualTo(200);
    // 10% of 200 is 20 (standard deviation 4.2); the bounds are more than 3.5 deviations away.
    assertThat(v2).as("requests answered by echo-v2").isBetween(5L, 40L);
  }

  @Test
  @Order(3)
  void thePolicyRefusesOtherIdentitiesAndMethods() throws Exception {
    AmbitCli.Result intruder = exec("intruder", "curl", "-sS", "-m", "20", "http://echo:8080/");
    assertThat(intruder.stdout()).as(intruder.toString()).isEqualTo("RBAC: access denied");
    assertThat(status("intruder", "GET")).isEqualTo("403");
    assertThat(status("curl", "POST")).isEqualTo("403");
    assertThat(status("curl", "GET")).isEqualTo("200");
  }

  @Test
  @Order(4)
  void trafficBetweenNodesIsTlsOnly() throws Exception {
    String marker = "tour-plaintext-" + Long.toHexString(System.nanoTime());
    Path capture = home.resolve("fabric.pcap");
    Process tcpdump =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                mesh + "-fabric",
                "tcpdump",
                "-i",
                "any",
                // Deliver each packet at once and write it through, so stopping tcpdump right
                // after the requests loses none; stay root to write into the test's directory.
                "--immediate-mode",
                "-U",
                "-Z",
                "root",
                "-n",
                "-w",
                capture.toString(),
                "tcp")
            .redirectErrorStream(true)
            .start();
    try {
      // tcpdump says "listening on any" once it captures (every port of the fabric bridge).
      var output =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(tcpdump.getInputStream(), StandardCharsets.UTF_8));
      String line;
      do {
        line = output.readLine();
      } while (line != null && !line.contains("listening"));
      assertThat(line).as("tcpdump started").isNotNull();
      AmbitCli.Result calls =
          exec(
              "curl",
              "sh",
              "-c",
              "for i in $(seq 10); do curl -sS -m 20 -H 'x-marker: "
                  + marker
                  + "' http://echo:8080/"
                  + marker
                  + "; done");
      assertThat(calls.stdout()).as("the echo saw the marker").contains(marker);
    } finally {
      tcpdump.destroy();
      tcpdump.waitFor(30, TimeUnit.SECONDS);
    }
    byte[] packets = Files.readAllBytes(capture);
    assertThat(new String(packets, StandardCharsets.ISO_8859_1))
        .as("payload seen in plaintext on the link between nodes")
        .doesNotContain(marker);
    AmbitCli.Result read =
        ambit.exec(List.of("tcpdump", "-n", "-r", capture.toString(), "tcp port 15008"));
    assertThat(read.stdout().lines().count())
        .as("HBONE packets between nodes\n" + read)
        .isGreaterThan(0);
  }

  @Test
  @Order(5)
  void metricsCarryTheMeshLabels() throws Exception {
    AmbitCli.Result waypoint =
        exec("waypoint-0", "curl", "-sS", "-m", "20", "http://127.0.0.1:15020/metrics");
    assertThat(waypoint.stdout())
        .as(waypoint.toString())
        .containsPattern("istio_requests_total\\{[^}]*reporter=\"waypoint\"[^}]*\\} [1-9]")
        .containsPattern("istio_requests_total\\{[^}]*response_code=\"403\"")
        .containsPattern(
            "istio_requests_total\\{[^}]*source_principal=\"spiffe://cluster.local/ns/default/sa/curl\"");
    StringBuilder ztunnels = new StringBuilder();
    for (String node : List.of("node1", "node2")) {
      AmbitCli.Result metrics =
          ambit.exec(
              List.of(
                  "ip",
                  "netns",
                  "exec",
                  mesh + "-" + node,
                  "curl",
                  "-sS",
                  "-m",
                  "20",
                  "http://127.0.0.1:15020/metrics"));
      ztunnels.append(metrics.stdout());
    }
    assertThat(ztunnels.toString())
        .containsPattern(
            "istio_tcp_connections_opened_total\\{[^}]*connection_security_policy=\"mutual_tls\"")
        .containsPattern("istio_tcp_sent_bytes_total\\{[^}]*source_workload=\"curl\"");
  }

  @Test
  @Order(6)
  void unlabellingAndLabellingTheNamespaceReleasesAndEnrollsRunningPods() throws Exception {
    String netns = mesh + "-default-curl";
    assertThat(redirectRules(netns)).as("rules in an enrolled pod").isGreaterThan(0);

    AmbitCli.Result release =
        ambit.run("label", "namespace", "default", "istio.io/dataplane-mode-");
    assertThat(release.exitCode()).as(release.toString()).isZero();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofMinutes(2))
        .until(() -> redirectRules(netns) == 0);

    AmbitCli.Result enroll =
        ambit.run("label", "namespace", "default", "istio.io/dataplane-mode=ambient");
    assertThat(enroll.exitCode()).as(enroll.toString()).isZero();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofMinutes(2))
        .until(() -> redirectRules(netns) > 0);
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofMinutes(2))
        .until(() -> status("curl", "GET").equals("200"));
  }

  @Test
  @Order(7)
  void downLeavesNothingBehind() throws Exception {
    AmbitCli.Result result = ambit.run("down");
    down = true;
    assertThat(result.exitCode()).as(result.toString()).isZero();
    AmbitCli.Result netns = ambit.exec(List.of("ip", "netns", "list"));
    assertThat(netns.stdout()).doesNotContain(mesh);
    assertThat(Path.of("/etc/netns"))
        .satisfiesAnyOf(
            p -> assertThat(Files.exists(p)).isFalse(),
            p -> {
              try (var entries = Files.list(p)) {
                assertThat(entries.map(Path::toString)).noneMatch(e -> e.contains(mesh));
              }
            });
    assertThat(
            ProcessHandle.allProcesses()
                .map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains(home.toString()) || c.contains(mesh)))
        .isEmpty();
  }

  /** The components' and pods' logs go to target/ so a failed run can be understood. */
  private void keepLogs() throws IOException {
    Path logs = home.resolve("mesh");
    if (!Files.isDirectory(logs)) {
      return;
    }
    Path kept = Path.of("target", "e2e-logs", "quickstart");
    try (var files = Files.walk(logs)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Path copy = kept.resolve(logs.relativize(file).toString());
        Files.createDirectories(copy.getParent());
        Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private AmbitCli.Result exec(String pod, String... command)
      throws IOException, InterruptedException {
    String[] args = new String[command.length + 3];
    args[0] = "exec";
    args[1] = pod;
    args[2] = "--";
    System.arraycopy(command, 0, args, 3, command.length);
    return ambit.run(args);
  }

  private String status(String pod, String method) throws IOException, InterruptedException {
    AmbitCli.Result result =
        exec(
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
            "http://echo:8080/");
    return result.stdout().trim();
  }

  private long redirectRules(String netns) throws IOException, InterruptedException {
    AmbitCli.Result rules = ambit.exec(List.of("ip", "netns", "exec", netns, "iptables-save"));
    return rules.stdout().lines().filter(l -> l.contains("--to-ports 15001")).count();
  }
}
