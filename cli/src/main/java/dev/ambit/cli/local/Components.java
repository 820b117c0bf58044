package dev.ambit.cli.local;

import dev.ambit.node.net.Commands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Starts the processes of a local mesh inside its namespaces, each with its own log file. */
public final class Components {
  private Components() {}

  /**
   * Starts {@code ambit <args>} in {@code netns}, output appended to {@code log}. The process
   * outlives this one (a detached {@code ambit up}).
   */
  public static MeshState.Component start(
      String name, String netns, Path log, AmbitHome home, String... args) {
    List<String> cmd = Commands.inNetns(netns, Launcher.ambit(args).toArray(String[]::new));
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().put("AMBIT_HOME", home.dir().toString());
      Process p = pb.start();
      return new MeshState.Component(name, netns, p.pid(), log.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", cmd), e);
    }
  }

  /** Whether the recorded process still runs (and is an ambit process, not a reused pid). */
  public static boolean alive(MeshState.Component c) {
    return ProcessHandle.of(c.pid())
        .filter(ProcessHandle::isAlive)
        .map(h -> isOurs(h.info()))
        .orElse(false);
  }

  /** An ambit JVM, or the {@code ip netns exec} about to become one. */
  private static boolean isOurs(ProcessHandle.Info info) {
    boolean ambit =
        info.arguments().map(a -> List.of(a).contains("dev.ambit.cli.Main")).orElse(false);
    boolean ip = info.command().map(c -> c.endsWith("/ip")).orElse(false);
    return ambit || ip;
  }
}
