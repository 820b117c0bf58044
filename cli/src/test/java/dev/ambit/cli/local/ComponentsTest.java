package dev.ambit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ambit.node.net.Commands;
import dev.ambit.node.net.MeshLayout;
import dev.ambit.node.net.MeshTopology;
import dev.ambit.node.net.NetnsOps;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mesh components are ambit processes started with this JVM's classpath inside a namespace of the
 * mesh; down stops them.
 */
class ComponentsTest {
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
  void aComponentRunsInItsNamespaceInTheHostMountNamespaceAndDownStopsIt() throws Exception {
    AmbitHome home = new AmbitHome(dir);
    MeshState state = new MeshState(layout.prefix(), 1, System.currentTimeMillis(), List.of());
    state.write(home.stateFile());
    new MeshTopology(layout).create(1);
    Path log = home.logsDir(layout.prefix()).resolve("echo.log");

    MeshState.Component c =
        Components.start(
            "tcp-echo", layout.fabricNetns(), log, home, "image", "tcp-echo", "--port", "9000");
    state.with(c).write(home.stateFile());

    assertThat(Components.alive(c)).as(() -> readLog(log)).isTrue();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        Commands.exec(
                                Commands.inNetns(
                                    layout.nodeNetns(1), "socat", "-", "TCP:10.240.0.1:9000"),
                                "hello fabric\n")
                            .stdout())
                    .isEqualTo("hello fabric\n"));
    String ownMountNs = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
    assertThat(Files.readSymbolicLink(Path.of("/proc/" + c.pid() + "/ns/mnt")).toString())
        .isEqualTo(ownMountNs);
    assertThat(NetnsOps.pids(layout.fabricNetns())).contains(c.pid());

    assertThat(LocalMesh.down(home, new PrintWriter(new StringWriter()))).isTrue();

    await().atMost(Duration.ofSeconds(10)).until(() -> !Components.alive(c));
    assertThat(NetnsOps.exists(layout.fabricNetns())).isFalse();
  }

  private static String readLog(Path log) {
    try {
      return "component log:\n" + (Files.exists(log) ? Files.readString(log) : "(none)");
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }
}
