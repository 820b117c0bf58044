package dev.ambit.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * Certificates of two minutes ({@code ambit up --max-cert-lifetime PT2M}), renewed at half-life:
 * under steady load no request fails across several rotations; with the CA gone, the last
 * certificates keep serving until they expire, then connections fail closed and the logs say why.
 * About five minutes: in the {@code reliability-slow} profile.
 */
@Tag("reliability-slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CertRotationFaultTest {

  private static final Pattern VALID_UNTIL = Pattern.compile("valid until (\\S+?)[;,]");
  private static final String CURL_ID = "spiffe://cluster.local/ns/default/sa/curl";
  private static final String ECHO_ID = "spiffe://cluster.local/ns/default/sa/echo";
  private static final String WAYPOINT_ID = "spiffe://cluster.local/ns/default/sa/waypoint";

  private FaultMesh mesh;

  @BeforeAll
  void up() throws Exception {
    mesh = FaultMesh.up("cert-rotation", "--max-cert-lifetime", "PT2M");
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
  void rotationsUnderSteadyLoadLoseNoRequest() throws Exception {
    long curl = issued("ztunnel-node1", CURL_ID).size();
    long echo = issued("ztunnel-node2", ECHO_ID).size();
    long waypoint = issued(waypointLog(), WAYPOINT_ID).size();
    try (PodConnection open = mesh.openFromCurl()) {
      assertThat(open.get("/before-rotation")).isEqualTo(200);
      Path stop = mesh.home().resolve("rotation.stop");
      Process probe = mesh.startProbe(stop);
      // Two renewals of each certificate on the path: client pod, waypoint, server pods.
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofSeconds(2))
          .until(
              () ->
                  issued("ztunnel-node1", CURL_ID).size() >= curl + 2
                      && issued("ztunnel-node2", ECHO_ID).size() >= echo + 2
                      && issued(waypointLog(), WAYPOINT_ID).size() >= waypoint + 2);
      Files.createFile(stop);
      assertThat(probe.waitFor(2, TimeUnit.MINUTES)).isTrue();
      List<String> during = new String(probe.getInputStream().readAllBytes()).lines().toList();
      assertThat(during).as("requests across the rotations").hasSizeGreaterThan(20);
      assertThat(during).containsOnly("200");
      assertThat(open.get("/after-rotation")).as("a connection open across them").isEqualTo(200);
    }
  }

  @Test
  @Order(2)
  void withTheCaGoneCertificatesServeUntilTheyExpireThenConnectionsFailClosed() throws Exception {
    ProcessHandle control = ProcessHandle.of(mesh.componentPids().get("control")).orElseThrow();
    control.destroyForcibly();
    await().atMost(Duration.ofSeconds(30)).until(() -> !control.isAlive());
    assertThat(mesh.status("curl", "GET")).as("certificates still valid").isEqualTo("200");

    // The latest certificate of each identity on the path, as its proxy logged it.
    Instant expiry =
        List.of(
                last(issued("ztunnel-node1", CURL_ID)),
                last(issued("ztunnel-node2", ECHO_ID)),
                last(issued(waypointLog(), WAYPOINT_ID)))
            .stream()
            .min(Instant::compareTo)
            .orElseThrow();
    assertThat(expiry).isAfter(Instant.now());
    // The scenario is the clock: wait until the first certificate on the path has expired.
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> Instant.now().isAfter(expiry.plusSeconds(2)));

    assertThat(mesh.statuses("curl", 3))
        .as("requests after expiry fail closed (no answer, or a 5xx from the mesh)")
        .allMatch(code -> code.matches("000|5\\d\\d"));
    List<String> logs = new java.util.ArrayList<>();
    logs.addAll(FaultMesh.lines(mesh.log("ztunnel-node1"), "expired"));
    logs.addAll(FaultMesh.lines(mesh.log("ztunnel-node2"), "expired"));
    logs.addAll(FaultMesh.lines(waypointLog(), "expired"));
    assertThat(logs)
        .as("the proxies say which certificate expired")
        .anyMatch(l -> l.contains("certificate for ") && l.contains(" expired at "));
  }

  private Path waypointLog() throws Exception {
    return mesh.podLog("default", "waypoint-0");
  }

  private List<Instant> issued(String component, String id) throws Exception {
    return issued(mesh.log(component), id);
  }

  /**
   * The expiry of each certificate issued for {@code id}, from "certificate for ID valid until".
   */
  private static List<Instant> issued(Path log, String id) throws Exception {
    return FaultMesh.lines(log, "certificate for " + id + " valid until").stream()
        .map(VALID_UNTIL::matcher)
        .filter(Matcher::find)
        .map(m -> Instant.parse(m.group(1)))
        .toList();
  }

  private static Instant last(List<Instant> expiries) {
    assertThat(expiries).isNotEmpty();
    return expiries.getLast();
  }
}
