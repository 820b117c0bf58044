package dev.ambit.cli.local;

import dev.ambit.node.net.NetnsOps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
    // nsenter switches only the network namespace: unlike `ip netns exec`, the process stays in
    // the host's mount namespace, so namespaces a node agent creates are visible to everyone.
    // setsid: a terminal's Ctrl-C or hang-up reaches `ambit up`, which then stops the components.
    List<String> cmd =
        new ArrayList<>(List.of("setsid", "nsenter", "--net=" + NetnsOps.path(netns), "--"));
    cmd.addAll(Launcher.ambit(args));
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
        .map(Components::isOurs)
        .orElse(false);
  }

  /** An ambit JVM, or the spawn helper, setsid or nsenter about to become one. */
  private static boolean isOurs(ProcessHandle h) {
    boolean starting =
        h.info()
            .command()
            .map(
                c -> c.endsWith("/setsid") || c.endsWith("/nsenter") || c.endsWith("/jspawnhelper"))
            .orElse(false);
    String commandLine = commandLine(h.pid());
    return starting
        || commandLine.contains(Launcher.MAIN)
        || commandLine.contains(Launcher.ZTUNNEL_MAIN);
  }

  /** The full command line (ProcessHandle.Info truncates long ones, such as a classpath). */
  private static String commandLine(long pid) {
    try {
      return new String(
          Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
          java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
