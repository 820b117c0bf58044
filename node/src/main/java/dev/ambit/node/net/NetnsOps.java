package dev.ambit.node.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** Named network namespaces as {@code ip netns} manages them (/var/run/netns). */
public final class NetnsOps {
  public static final Path NETNS_DIR = Path.of("/var/run/netns");
  public static final Path ETC_NETNS_DIR = Path.of("/etc/netns");

  private NetnsOps() {}

  public static Path path(String name) {
    return NETNS_DIR.resolve(name);
  }

  public static boolean exists(String name) {
    return Files.exists(path(name));
  }

  /** Creates the namespace with its loopback up. */
  public static void add(String name) {
    Commands.run("ip", "netns", "add", name);
    Commands.run("ip", "-n", name, "link", "set", "lo", "up");
  }

  /** Names of the existing namespaces starting with {@code prefix}. */
  public static List<String> list(String prefix) {
    if (!Files.isDirectory(NETNS_DIR)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(NETNS_DIR)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(prefix))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Process ids running in the namespace. */
  public static List<Long> pids(String name) {
    String out = Commands.run("ip", "netns", "pids", name);
    return Arrays.stream(out.split("\\s+")).filter(s -> !s.isBlank()).map(Long::parseLong).toList();
  }

  public static void sysctl(String netns, String key, String value) {
    Commands.run(Commands.inNetns(netns, "sysctl", "-q", "-w", key + "=" + value));
  }

  /**
   * Kills every process in the namespace (TERM, then KILL after the grace period) and deletes it.
   */
  public static void destroy(String name, java.time.Duration grace) {
    if (!exists(name)) {
      return;
    }
    Processes.terminate(pids(name), grace);
    Commands.run("ip", "netns", "delete", name);
  }

  /** Files under /etc/netns/NAME are bind-mounted over /etc by {@code ip netns exec NAME}. */
  public static Path etcDir(String name) {
    return ETC_NETNS_DIR.resolve(name);
  }
}
