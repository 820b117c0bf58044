package dev.ambit.cli.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs the chained CNI plugin {@value #PLUGIN} on a node: copies a Java runtime and the jars to
 * a node directory, writes the launcher {@code <bin>/ambit} (a shell script running {@code ambit
 * cni} with that runtime) and appends {@code {"type":"ambit","podsSocket":...}} to the node's
 * primary network configuration, the first {@code .conflist}/{@code .conf} file in lexical order (a
 * {@code .conf} becomes a {@code .conflist}). Every step is idempotent, and files are replaced by
 * rename so the container runtime never reads half a file.
 */
public final class CniInstaller {
  public static final String PLUGIN = "ambit";
  private static final Logger log = LoggerFactory.getLogger(CniInstaller.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * Where things are: the runtime and jars to copy, the node directories as this process sees them
   * ({@code runtimeDir}, {@code binDir}, {@code confDir}), the node path of {@code runtimeDir}
   * (what the launcher names), and ztunnel's pods socket on the node.
   */
  public record Layout(
      Path runtimeSource,
      Path libSource,
      Path runtimeDir,
      Path hostRuntimeDir,
      Path binDir,
      Path confDir,
      Path podsSocket) {}

  private final Layout layout;
  private boolean uninstalled;

  public CniInstaller(Layout layout) {
    this.layout = layout;
  }

  /** Copies the runtime and jars and writes the launcher. */
  public void installBinaries() throws IOException {
    copyTree(layout.runtimeSource(), layout.runtimeDir().resolve("runtime"));
    copyTree(layout.libSource(), layout.runtimeDir().resolve("lib"));
    Path host = layout.hostRuntimeDir();
    String script =
        "#!/bin/sh\n"
            + "# Chained CNI plugin of the Ambit mesh, installed by the node agent.\n"
            + "exec "
            + host.resolve("runtime/bin/java")
            + " --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
            + " -XX:TieredStopAtLevel=1 -cp '"
            + host.resolve("lib")
            + "/*' dev.ambit.cli.Main cni\n";
    Files.createDirectories(layout.binDir());
    writeAtomically(layout.binDir().resolve(PLUGIN), script, "rwxr-xr-x");
  }

  /**
   * Adds the plugin to the primary network configuration if it is not there yet; returns the file
   * changed, or empty when there is no configuration yet or nothing had to change.
   */
  public synchronized Optional<Path> ensureChained() throws IOException {
    Optional<Path> primary = primaryConfig();
    if (primary.isEmpty() || uninstalled) {
      return Optional.empty();
    }
    Path file = primary.get();
    ObjectNode conf = (ObjectNode) JSON.readTree(Files.readString(file));
    ObjectNode list;
    Path target = file;
    if (file.getFileName().toString().endsWith(".conf")) {
      list = JSON.createObjectNode();
      list.set("cniVersion", conf.get("cniVersion"));
      list.set("name", conf.get("name"));
      ObjectNode single = conf.deepCopy();
      single.remove("cniVersion");
      single.remove("name");
      list.putArray("plugins").add(single);
      target = file.resolveSibling(file.getFileName().toString() + "list");
    } else {
      list = conf;
    }
    ArrayNode plugins = (ArrayNode) list.withArray("plugins");
    ObjectNode ours = JSON.createObjectNode();
    ours.put("type", PLUGIN);
    ours.put("podsSocket", layout.podsSocket().toString());
    int found = -1;
    for (int i = 0; i < plugins.size(); i++) {
      if (PLUGIN.equals(plugins.get(i).path("type").asText())) {
        found = i;
      }
    }
    if (found == plugins.size() - 1 && plugins.get(found).equals(ours) && target.equals(file)) {
      return Optional.empty();
    }
    removeOurs(plugins);
    plugins.add(ours);
    writeAtomically(target, JSON.writeValueAsString(list) + "\n", "rw-r--r--");
    if (!target.equals(file)) {
      Files.delete(file);
    }
    log.info("chained the {} CNI plugin into {}", PLUGIN, target);
    return Optional.of(target);
  }

  /**
   * Removes the plugin from the network configuration and deletes the launcher; later {@link
   * #ensureChained} calls change nothing.
   */
  public synchronized void uninstall() throws IOException {
    uninstalled = true;
    Optional<Path> primary = primaryConfig();
    if (primary.isPresent() && primary.get().getFileName().toString().endsWith(".conflist")) {
      ObjectNode list = (ObjectNode) JSON.readTree(Files.readString(primary.get()));
      if (removeOurs((ArrayNode) list.withArray("plugins"))) {
        writeAtomically(primary.get(), JSON.writeValueAsString(list) + "\n", "rw-r--r--");
        log.info("removed the {} CNI plugin from {}", PLUGIN, primary.get());
      }
    }
    Files.deleteIfExists(layout.binDir().resolve(PLUGIN));
  }

  private static boolean removeOurs(ArrayNode plugins) {
    boolean removed = false;
    for (int i = plugins.size() - 1; i >= 0; i--) {
      JsonNode p = plugins.get(i);
      if (PLUGIN.equals(p.path("type").asText())) {
        plugins.remove(i);
        removed = true;
      }
    }
    return removed;
  }

  /** The node's primary network configuration: the first .conflist or .conf by name. */
  Optional<Path> primaryConfig() throws IOException {
    if (!Files.isDirectory(layout.confDir())) {
      return Optional.empty();
    }
    try (Stream<Path> s = Files.list(layout.confDir())) {
      return s.filter(Files::isRegularFile)
          .filter(
              p -> {
                String n = p.getFileName().toString();
                return (n.endsWith(".conflist") || n.endsWith(".conf")) && !n.startsWith(".");
              })
          .min(Comparator.comparing(p -> p.getFileName().toString()));
    }
  }

  private static void writeAtomically(Path target, String content, String permissions)
      throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    Files.writeString(tmp, content);
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(permissions));
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(
              p, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }
}
