package dev.ambit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.node.net.Commands;
import dev.ambit.node.net.MeshLayout;
import dev.ambit.node.net.MeshTopology;
import dev.ambit.node.net.NetnsOps;
import dev.ambit.node.net.PodHosts;
import dev.ambit.node.net.PodNetwork;
import dev.ambit.node.redirect.RedirectionRules;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ambit down} after a crashed {@code ambit up}: the host ends up as before. */
class LocalMeshDownTest {
  @TempDir Path dir;
  private MeshLayout layout;

  @BeforeEach
  void setUp() {
    if (!RootCheck.isRoot()) {
      throw new AssertionError("this test creates network namespaces and needs root");
    }
    byte[] b = new byte[3];
    ThreadLocalRandom.current().nextBytes(b);
    layout = new MeshLayout("at" + HexFormat.of().formatHex(b));
  }

  @AfterEach
  void tearDown() {
    MeshTopology.destroy(layout.prefix(), Duration.ofSeconds(2));
  }

  @Test
  void downRemovesEverythingTheMeshCreatedAndLeavesTheHostAsBefore() throws Exception {
    Set<String> netnsBefore = Set.copyOf(NetnsOps.list(""));
    Set<String> linksBefore = hostLinks();
    String iptablesBefore = hostIptables();
    AmbitHome home = new AmbitHome(dir);
    new MeshState(layout.prefix(), 2, System.currentTimeMillis(), List.of())
        .write(home.stateFile());
    new MeshTopology(layout).create(2);
    String pod = layout.podNetns("default", "curl");
    new PodNetwork(layout, 2).attach(pod, 5);
    PodNetwork.writeHosts(pod, PodHosts.render("default", "curl", "10.241.2.5", List.of()));
    new RedirectionRules(NetnsOps.path(pod)).apply();
    Process sleeper = new ProcessBuilder(Commands.inNetns(pod, "sleep", "300")).start();
    Files.createDirectories(home.logsDir(layout.prefix()));
    Files.writeString(home.logsDir(layout.prefix()).resolve("default_curl.log"), "x\n");

    StringWriter out = new StringWriter();
    assertThat(LocalMesh.down(home, new PrintWriter(out))).isTrue();

    assertThat(out.toString()).contains("Mesh " + layout.prefix() + " removed");
    assertThat(sleeper.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(Set.copyOf(NetnsOps.list(""))).isEqualTo(netnsBefore);
    assertThat(Commands.run("ip", "netns", "list")).doesNotContain(layout.prefix());
    assertThat(hostLinks()).isEqualTo(linksBefore);
    assertThat(hostIptables()).isEqualTo(iptablesBefore);
    assertThat(Files.exists(NetnsOps.etcDir(pod))).isFalse();
    assertThat(Files.exists(home.stateFile())).isFalse();
    assertThat(Files.exists(home.meshDir(layout.prefix()))).isFalse();
    assertThat(LocalMesh.down(home, new PrintWriter(new StringWriter()))).isFalse();
  }

  private static Set<String> hostLinks() {
    return Commands.run("ip", "-o", "link", "show")
        .lines()
        .map(l -> l.split(":\\s+")[1].split("@")[0])
        .collect(Collectors.toSet());
  }

  private static String hostIptables() {
    return Commands.run("iptables-save")
        .lines()
        .filter(l -> !l.startsWith("#"))
        .map(l -> l.replaceAll("\\[\\d+:\\d+\\]", ""))
        .collect(Collectors.joining("\n"));
  }
}
