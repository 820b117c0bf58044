package dev.ambit.node.agent;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * Host-local address allocation for the pods of one node: the host part (2..254) of each pod's
 * address in the node's /24, persisted so a restarted agent gives running pods the same address.
 */
public final class IpAllocator {
  static final int FIRST = 2;
  static final int LAST = 254;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Map<String, Integer> byPod;

  public IpAllocator(Path file) {
    this.file = file;
    this.byPod = load(file);
  }

  private static Map<String, Integer> load(Path file) {
    if (!Files.exists(file)) {
      return new TreeMap<>();
    }
    try {
      return new TreeMap<>(
          JSON.readValue(file.toFile(), new TypeReference<Map<String, Integer>>() {}));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read address allocations " + file, e);
    }
  }

  /** The host part of {@code pod}'s address, allocating the lowest free one if it has none. */
  public synchronized int allocate(String pod) {
    Integer existing = byPod.get(pod);
    if (existing != null) {
      return existing;
    }
    for (int host = FIRST; host <= LAST; host++) {
      if (!byPod.containsValue(host)) {
        byPod.put(pod, host);
        save();
        return host;
      }
    }
    throw new IllegalStateException(
        "no free pod address left on this node (" + byPod.size() + " pods)");
  }

  public synchronized void release(String pod) {
    if (byPod.remove(pod) != null) {
      save();
    }
  }

  public synchronized Map<String, Integer> allocations() {
    return Map.copyOf(byPod);
  }

  private void save() {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      JSON.writeValue(tmp.toFile(), byPod);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write address allocations " + file, e);
    }
  }
}
