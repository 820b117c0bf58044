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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Fail closed at the waypoint, on one quickstart mesh shared by the steps: with every replica of
 * the echo Service's waypoint gone ({@code ambit waypoint apply --replicas 0}), calls from the curl
 * pod are refused by its ztunnel (logged as unreachable) and no connection reaches an echo pod (the
 * destination ztunnel's inbound counters do not move); bringing one replica back ({@code --replicas
 * 1}, the node agent starts it) restores the traffic, through the waypoint. Needs root.
 *
 * <p>Open defect, so this class runs only with {@code -Pknown-defects}: in about half the runs the
 * restored traffic never arrives. After the replica returns, the curl pod's ztunnel accepts the
 * captured connection but never reads it (its bytes stay in the socket's receive queue), opens no
 * HBONE connection to the new replica, and does not notice the client closing (CLOSE-WAIT). The
 * first two steps (refused while no replica runs, never delivered around the waypoint) pass.
 */
@Tag("known-defect")
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

  private AmbitCli.Result call() throws IOException, InterruptedException {
    return ambit.run(
        "exec", "curl", "--", "curl", "-sS", "-m", "10", "http://echo:8080/failclosed");
  }

  /** Requests the waypoint replica counted (its /metrics inside its own pod). */
  private long waypointRequests() throws IOException, InterruptedException {
    AmbitCli.Result metrics =
        ambit.run(
            "exec",
            "waypoint-0",
            "--",
            "curl",
            "-sS",
            "-m",
            "10",
            "http://127.0.0.1:15020/metrics");
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
