package dev.ambit.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * Fail closed at the waypoint, on one quickstart mesh shared by the steps: with every replica of
 * the echo Service's waypoint gone ({@code ambit waypoint apply --replicas 0}), calls from the curl
 * pod are refused by its ztunnel (logged as unreachable) and no connection reaches an echo pod (the
 * destination ztunnel's inbound counters do not move); bringing one replica back ({@code --replicas
 * 1}, the node agent starts it at the same pod IP) restores the traffic, through the waypoint. With
 * two replicas, both serve, and killing one (SIGKILL of its process) under a steady sequence of
 * requests fails none of them except possibly the one in flight at the kill. Needs root.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WaypointFailClosedE2eTest {

  private static final Pattern ECHO_INBOUND =
      Pattern.compile(
          "istio_tcp_connections_opened_total\\{[^}]*reporter=\"destination\"[^}]*"
              + "destination_workload=\"echo-v[12]\"[^}]*\\} (\\d+)");

  private static final Pattern UNREACHABLE_WAYPOINT =
      Pattern.compile("\"result\":\"unreachable: waypoint [0-9.:]+ has no healthy workload\"");

  private FaultMesh faultMesh;
  private Path home;
  private AmbitCli ambit;
  private String mesh;

  @BeforeAll
  void up() throws Exception {
    faultMesh = FaultMesh.up("waypoint-fail-closed");
    home = faultMesh.home();
    ambit = faultMesh.ambit();
    mesh = faultMesh.name();
  }

  @AfterAll
  void down() throws Exception {
    if (faultMesh != null) {
      faultMesh.close();
    }
  }

  @Test
  @Order(1)
  void withAReplicaTrafficGoesThroughTheWaypoint() throws Exception {
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> call().stdout().contains("\"namespace\" : \"default\""));
    assertThat(waypointRequests()).as("requests counted by the waypoint").isPositive();
  }

  @Test
  @Order(2)
  void withoutReplicasTrafficIsRefusedAndNeverReachesTheBackend() throws Exception {
    AmbitCli.Result scaled =
        ambit.run("waypoint", "apply", "-n", "default", "--name", "waypoint", "--replicas", "0");
    assertThat(scaled.exitCode()).as(scaled.toString()).isZero();
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> call().exitCode() != 0);
    long before = echoInboundConnections();
    long refusalsLogged = refusalsLogged();
    for (int i = 0; i < 5; i++) {
      AmbitCli.Result refused = call();
      assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
      assertThat(refused.stdout()).as(refused.toString()).doesNotContain("\"namespace\"");
    }
    assertThat(echoInboundConnections())
        .as("connections that reached an echo pod while the waypoint was down")
        .isEqualTo(before);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(refusalsLogged())
                    .as("refusals the curl pod's ztunnel logged as unreachable waypoint")
                    .isGreaterThanOrEqualTo(refusalsLogged + 5));
  }

  @Test
  @Order(3)
  void oneReplicaBackRestoresTheTraffic() throws Exception {
    AmbitCli.Result scaled =
        ambit.run("waypoint", "apply", "-n", "default", "--name", "waypoint", "--replicas", "1");
    assertThat(scaled.exitCode()).as(scaled.toString()).isZero();
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> call().stdout().contains("\"namespace\" : \"default\""));
    assertThat(waypointRequests())
        .as("requests counted by the restarted waypoint (it starts from zero)")
        .isPositive();
  }

  @Test
  @Order(4)
  void withTwoReplicasKillingOneLosesNoRequestButTheOneInFlight() throws Exception {
    AmbitCli.Result scaled =
        ambit.run("waypoint", "apply", "-n", "default", "--name", "waypoint", "--replicas", "2");
    assertThat(scaled.exitCode()).as(scaled.toString()).isZero();
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                call().stdout().contains("\"namespace\" : \"default\"")
                    && waypointRequests("waypoint-1") > 0);
    assertThat(waypointRequests("waypoint-0"))
        .as("the ztunnel spreads connections over both replicas")
        .isPositive();

    Path log = home.resolve("probe.log");
    Path stop = home.resolve("probe.stop");
    Process probe = faultMesh.start(sequentialRequests(stop), log);
    await()
        .atMost(Duration.ofMinutes(1))
        .until(() -> Probe.read(log).stream().filter(r -> r.status().equals("200")).count() >= 10);

    List<Long> pids = netnsPids(mesh + "-default-waypoint-1");
    assertThat(pids).as("processes of replica waypoint-1").isNotEmpty();
    long killedAt = Probe.nowNanos();
    AmbitCli.Result kill =
        ambit.exec(
            java.util.stream.Stream.concat(
                    java.util.stream.Stream.of("kill", "-KILL"), pids.stream().map(String::valueOf))
                .toList());
    assertThat(kill.exitCode()).as(kill.toString()).isZero();
    await()
        .atMost(Duration.ofMinutes(1))
        .until(() -> Probe.read(log).stream().filter(r -> r.startNanos() > killedAt).count() >= 30);
    Files.writeString(stop, "");
    assertThat(probe.waitFor(1, java.util.concurrent.TimeUnit.MINUTES)).isTrue();

    List<Probe> requests = Probe.read(log);
    List<Probe> failed = requests.stream().filter(r -> !r.status().equals("200")).toList();
    assertThat(failed)
        .as(
            "failed requests (start ns, end ns, status) of %d; the replica was killed at %d ns",
            requests.size(), killedAt)
        .hasSizeLessThanOrEqualTo(1)
        .allSatisfy(
            r ->
                assertThat(r.startNanos() < killedAt && r.endNanos() > killedAt)
                    .as("%s was in flight at the kill", r)
                    .isTrue());
    assertThat(requests.stream().filter(r -> r.startNanos() > killedAt).count())
        .as("requests started after the kill, all answered 200")
        .isGreaterThanOrEqualTo(30);
  }

  /** One request of the probe: when it started and ended (epoch ns) and its HTTP status. */
  private record Probe(long startNanos, long endNanos, String status) {
    static List<Probe> read(Path log) throws IOException {
      if (!Files.exists(log)) {
        return List.of();
      }
      return Files.readAllLines(log).stream()
          .map(l -> l.trim().split("\\s+"))
          .filter(f -> f.length == 3 && f[0].matches("\\d+") && f[1].matches("\\d+"))
          .map(f -> new Probe(Long.parseLong(f[0]), Long.parseLong(f[1]), f[2]))
          .toList();
    }

    static long nowNanos() {
      java.time.Instant now = java.time.Instant.now();
      return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
  }

  /**
   * Sequential requests from the curl pod, each on a new connection, until {@code stop} exists: one
   * line per request, "start-ns end-ns status".
   */
  private List<String> sequentialRequests(Path stop) {
    return List.of(
        ambit.root().resolve("ambit").toString(),
        "exec",
        "curl",
        "--",
        "sh",
        "-c",
        "while [ ! -e '"
            + stop
            + "' ]; do s=$(date +%s%N); c=$(curl -s -m 20 -o /dev/null -w '%{http_code}'"
            + " http://echo:8080/replicas); echo \"$s $(date +%s%N) $c\"; sleep 0.1; done");
  }

  /** The pids of the processes in network namespace {@code netns}. */
  private List<Long> netnsPids(String netns) throws IOException, InterruptedException {
    AmbitCli.Result pids = ambit.exec(List.of("ip", "netns", "pids", netns));
    assertThat(pids.exitCode()).as(pids.toString()).isZero();
    return pids.stdout()
        .lines()
        .map(String::trim)
        .filter(l -> !l.isEmpty())
        .map(Long::valueOf)
        .toList();
  }

  private AmbitCli.Result call() throws IOException, InterruptedException {
    return ambit.run(
        "exec", "curl", "--", "curl", "-sS", "-m", "10", "http://echo:8080/failclosed");
  }

  /** Requests the waypoint replica counted (its /metrics inside its own pod). */
  private long waypointRequests() throws IOException, InterruptedException {
    return waypointRequests("waypoint-0");
  }

  private long waypointRequests(String replica) throws IOException, InterruptedException {
    AmbitCli.Result metrics =
        ambit.run(
            "exec", replica, "--", "curl", "-sS", "-m", "10", "http://127.0.0.1:15020/metrics");
    return metrics
        .stdout()
        .lines()
        .filter(l -> l.startsWith("istio_requests_total{") && l.contains("reporter=\"waypoint\""))
        .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  /** Inbound connections the echo pods' ztunnel (node2) opened to them so far. */
  private long echoInboundConnections() throws IOException, InterruptedException {
    AmbitCli.Result metrics =
        ambit.exec(
            List.of(
                "ip",
                "netns",
                "exec",
                mesh + "-node2",
                "curl",
                "-sS",
                "-m",
                "10",
                "http://127.0.0.1:15020/metrics"));
    assertThat(metrics.exitCode()).as(metrics.toString()).isZero();
    long sum = 0;
    Matcher m = ECHO_INBOUND.matcher(metrics.stdout());
    while (m.find()) {
      sum += Long.parseLong(m.group(1));
    }
    return sum;
  }

  /** Access-log lines of the mesh's ztunnels that refused a connection: waypoint unreachable. */
  private long refusalsLogged() throws IOException {
    long n = 0;
    try (var files = Files.walk(home)) {
      for (Path f :
          files
              .filter(Files::isRegularFile)
              .filter(p -> p.getFileName().toString().startsWith("ztunnel-"))
              .toList()) {
        n +=
            Files.readString(f, StandardCharsets.UTF_8)
                .lines()
                .filter(l -> UNREACHABLE_WAYPOINT.matcher(l).find())
                .count();
      }
    }
    return n;
  }
}
