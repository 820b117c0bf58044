package dev.ambit.cli.local;

import dev.ambit.node.net.MeshTopology;
import dev.ambit.node.net.Processes;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/** Tearing a local mesh down: what {@code ambit down} and Ctrl-C on {@code ambit up} do. */
public final class LocalMesh {
  private static final Duration GRACE = Duration.ofSeconds(5);

  private LocalMesh() {}

  /**
   * Stops every process of the mesh and removes every namespace, link, rule, /etc/netns entry and
   * file it created. Returns false when no mesh was recorded.
   */
  public static boolean down(AmbitHome home, PrintWriter out) {
    Optional<MeshState> state = MeshState.read(home.stateFile());
    if (state.isEmpty()) {
      return false;
    }
    MeshState s = state.get();
    out.printf("Stopping mesh %s...%n", s.prefix());
    out.flush();
    // Node agents first (they would otherwise restart pods), then ztunnels, then the control plane.
    Processes.terminate(
        s.components().stream()
            .filter(Components::alive)
            .sorted(Comparator.comparingInt(LocalMesh::stopOrder))
            .map(MeshState.Component::pid)
            .toList(),
        GRACE);
    MeshTopology.destroy(s.prefix(), GRACE);
    deleteTree(home.meshDir(s.prefix()));
    try {
      Files.deleteIfExists(home.stateFile());
      Files.deleteIfExists(home.controlSocket());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.printf("Mesh %s removed: processes stopped, namespaces and links deleted.%n", s.prefix());
    out.flush();
    return true;
  }

  private static int stopOrder(MeshState.Component c) {
    if (c.name().startsWith("node-agent")) {
      return 0;
    }
    return c.name().startsWith("ztunnel") ? 1 : 2;
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
