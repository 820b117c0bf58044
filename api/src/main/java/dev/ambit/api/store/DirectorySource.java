package dev.ambit.api.store;

import dev.ambit.api.ConfigError;
import dev.ambit.api.ConfigException;
import dev.ambit.api.ConfigReader;
import dev.ambit.api.Resource;
import dev.ambit.api.ResourceKey;
import dev.ambit.api.Validation;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link ConfigStore} in line with the YAML/JSON files under a directory: on start and on
 * every change it re-reads the files and applies them (same validation as {@code ambit apply}).
 *
 * <ul>
 *   <li>A file that does not read cleanly keeps its last good objects in the store; the errors go
 *       to the error callback (and the log).
 *   <li>Objects that disappeared from the files (a file deleted, a document removed) are deleted.
 *   <li>If the combined set is rejected (e.g. two files define one object) nothing changes.
 * </ul>
 */
public final class DirectorySource implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DirectorySource.class);

  private static final long RESYNC_SECONDS = 2;

  private final Path directory;
  private final ConfigStore store;
  private final Consumer<List<ConfigError>> onError;
  private final Map<Path, List<Resource<?>>> lastGood = new TreeMap<>();
  private final Set<ResourceKey> owned = new HashSet<>();
  private List<ConfigError> lastReported = List.of();
  private WatchService watchService;
  private Thread thread;

  /**
   * @param onError receives the errors of every rejected read or apply
   */
  public DirectorySource(Path directory, ConfigStore store, Consumer<List<ConfigError>> onError) {
    this.directory = directory;
    this.store = store;
    this.onError = onError;
  }

  /** Loads the directory once, then watches it for changes on a background thread. */
  public synchronized void start() throws IOException {
    watchService = FileSystems.getDefault().newWatchService();
    registerTree(directory);
    sync();
    thread = Thread.ofPlatform().daemon().name("ambit-config-dir").start(this::watchLoop);
  }

  /**
   * Re-reads the directory and applies it now. Returns the apply results (empty when rejected: then
   * the errors went to the callback).
   */
  public synchronized List<ApplyResult> sync() {
    List<ConfigError> errors = new ArrayList<>();
    List<Path> files = ConfigReader.files(directory, errors);
    lastGood.keySet().retainAll(new HashSet<>(files));
    for (Path file : files) {
      try {
        lastGood.put(file, ConfigReader.read(file));
      } catch (ConfigException e) {
        errors.addAll(e.errors());
      }
    }
    List<Resource<?>> desired = lastGood.values().stream().flatMap(List::stream).toList();
    List<ConfigError> duplicates = Validation.duplicates(desired);
    if (!duplicates.isEmpty()) {
      report(concat(errors, duplicates));
      return List.of();
    }
    Set<ResourceKey> desiredKeys = new LinkedHashSet<>();
    desired.forEach(r -> desiredKeys.add(r.key()));
    Set<ResourceKey> deletes = new LinkedHashSet<>(owned);
    deletes.removeAll(desiredKeys);
    try {
      List<ApplyResult> results = store.apply(desired, deletes);
      owned.clear();
      owned.addAll(desiredKeys);
      results.stream()
          .filter(r -> r.outcome() != ApplyResult.Outcome.UNCHANGED)
          .forEach(r -> LOG.info("{}", r));
      if (errors.isEmpty()) {
        lastReported = List.of();
      } else {
        report(errors);
      }
      return results;
    } catch (ConfigException e) {
      report(concat(errors, e.errors()));
      return List.of();
    }
  }

  private void report(List<ConfigError> errors) {
    if (errors.equals(lastReported)) {
      return; // the same broken files as last time: said once is enough
    }
    lastReported = List.copyOf(errors);
    errors.forEach(e -> LOG.warn("config rejected, last good state kept: {}", e));
    onError.accept(lastReported);
  }

  private static List<ConfigError> concat(List<ConfigError> a, List<ConfigError> b) {
    List<ConfigError> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private void watchLoop() {
    try {
      while (true) {
        // inotify can drop events (queue overflow, a directory created and filled before it is
        // watched): a quiet period ends with a full re-read, so the store always converges.
        WatchKey key = watchService.poll(RESYNC_SECONDS, TimeUnit.SECONDS);
        while (key != null) {
          handle(key);
          // Editors write in several steps; take every event that follows closely as one change.
          key = watchService.poll(50, TimeUnit.MILLISECONDS);
        }
        sync();
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      LOG.debug("stopped watching {}", directory);
    }
  }

  private void handle(WatchKey key) {
    Path dir = (Path) key.watchable();
    for (var event : key.pollEvents()) {
      if (event.context() instanceof Path name) {
        Path child = dir.resolve(name);
        if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && Files.isDirectory(child)) {
          try {
            registerTree(child);
          } catch (IOException e) {
            LOG.warn("cannot watch {}", child, e);
          }
        }
      }
    }
    key.reset();
  }

  private void registerTree(Path root) throws IOException {
    try (Stream<Path> dirs = Files.walk(root)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        dir.register(
            watchService,
            StandardWatchEventKinds.ENTRY_CREATE,
            StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE);
      }
    }
  }

  /** Stops watching; the store keeps its content. */
  @Override
  public void close() throws IOException {
    if (thread != null) {
      thread.interrupt();
    }
    if (watchService != null) {
      watchService.close();
    }
  }
}
