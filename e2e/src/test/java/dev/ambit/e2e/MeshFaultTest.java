package dev.ambit.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Faults on a running quickstart mesh, one mesh for the class: the control plane killed and started
 * again, and the link of the echo pods' node cut and restored. What is asserted is what the curl
 * pod sees: HTTP statuses on new connections and on a connection that stays open through the fault.
 * Needs root, like {@code ambit up}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshFaultTest {

  private FaultMesh mesh;

  @BeforeAll
  void up() throws Exception {
    mesh = FaultMesh.up("faults");
    assertThat(mesh.status("curl", "GET")).isEqualTo("200");
  }

  @AfterAll
  void down() throws Exception {
    if (mesh != null) {
      mesh.close();
    }
  }

  @Test
  @Order(1)
  void withoutTheControlPlaneTrafficGoesOnAndARestartResyncsWithoutDrops() throws Exception {
    Map<String, Long> pidsBefore = mesh.componentPids();
    long podStartsBefore = podStarts();
    Path controlLog = mesh.log("control");
    try (PodConnection open = mesh.openFromCurl()) {
      assertThat(open.get("/before")).isEqualTo(200);

      ProcessHandle control = ProcessHandle.of(pidsBefore.get("control")).orElseThrow();
      control.destroyForcibly();
      await().atMost(Duration.ofSeconds(30)).until(() -> !control.isAlive());

      // Cached state and certificates: the open connection, new connections, and the policy.
      assertThat(open.get("/control-down")).isEqualTo(200);
      assertThat(mesh.statuses("curl", 3)).as("new connections from curl").containsOnly("200");
      assertThat(mesh.status("intruder", "GET")).as("the policy still applies").isEqualTo("403");

      // Requests keep flowing while the control plane starts again and the proxies resync.
      Path stop = mesh.home().resolve("probe.stop");
      Process probe = mesh.startProbe(stop);
      long ztunnelsBefore = connected(controlLog, "ztunnel~");
      restartControl(controlLog);
      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> connected(controlLog, "ztunnel~") >= ztunnelsBefore + 2);
      await().atMost(Duration.ofMinutes(2)).until(() -> connected(controlLog, "waypoint~") >= 2);
      Files.createFile(stop);
      assertThat(probe.waitFor(3, TimeUnit.MINUTES)).isTrue();
      List<String> during = new String(probe.getInputStream().readAllBytes()).lines().toList();
      assertThat(during).as("requests during the restart and resync").hasSizeGreaterThan(10);
      assertThat(during).containsOnly("200");

      assertThat(open.get("/after-restart")).isEqualTo(200);
    }
    assertThat(mesh.statuses("curl", 3)).containsOnly("200");
    assertThat(mesh.status("intruder", "GET")).isEqualTo("403");
    Map<String, Long> pidsAfter = mesh.componentPids();
    pidsAfter.remove("control");
    pidsBefore.remove("control");
    assertThat(pidsAfter).as("no proxy or node agent restarted").isEqualTo(pidsBefore);
    assertThat(podStarts()).as("no pod restarted").isEqualTo(podStartsBefore);
  }

  @Test
  @Order(2)
  void aCutLinkGivesCleanErrorsAndRecoversWhenRestored() throws Exception {
    Map<String, Long> pidsBefore = mesh.componentPids();
    try (PodConnection open = mesh.openFromCurl()) {
      assertThat(open.get("/before-cut")).isEqualTo(200);
      // The echo pods live on node2; its only link is its veth on the fabric bridge.
      link("down");
      try {
        AmbitCli.Result call =
            mesh.exec(
                "curl",
                "curl",
                "-s",
                "-m",
                "60",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "http://echo:8080/cut");
        assertThat(call.stdout().trim())
            .as("an answer from the mesh before the client gives up: " + call)
            .matches("50[234]");
      } finally {
        link("up");
      }
      await()
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> mesh.status("curl", "GET").equals("200"));
      assertThat(open.get("/after-cut")).as("the connection open through the cut").isEqualTo(200);
    }
    assertThat(mesh.statuses("curl", 3)).containsOnly("200");
    assertThat(mesh.componentPids()).as("nothing restarted").isEqualTo(pidsBefore);
  }

  private void link(String state) throws Exception {
    AmbitCli.Result r =
        mesh.ambit().exec(List.of("ip", "-n", mesh.name() + "-fabric", "link", "set", "n2", state));
    assertThat(r.exitCode()).as(r.toString()).isZero();
  }

  /** Starts the control plane again the way {@code ambit up} does: in the fabric netns. */
  private void restartControl(Path log) throws Exception {
    Files.deleteIfExists(mesh.home().resolve("control.sock"));
    mesh.start(
        List.of(
            "setsid",
            "nsenter",
            "--net=/var/run/netns/" + mesh.name() + "-fabric",
            "--",
            mesh.ambit().root().resolve("ambit").toString(),
            "control",
            "--home",
            mesh.home().toString(),
            "--xds-address",
            "10.240.0.1:15012",
            "--debug-address",
            "10.240.0.1:15014"),
        log);
  }

  /** How many times the control plane logged an xDS client of this kind connecting. */
  private static long connected(Path log, String client) throws Exception {
    return FaultMesh.lines(log, "xDS client " + client, " connected (").size();
  }

  private long podStarts() throws Exception {
    long starts = 0;
    for (String agent : List.of("node-agent-node1", "node-agent-node2")) {
      starts += FaultMesh.lines(mesh.log(agent), "started pid").size();
    }
    return starts;
  }
}
