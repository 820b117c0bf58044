package dev.ambit.control;

import dev.ambit.api.ConfigException;
import dev.ambit.api.ConfigReader;
import dev.ambit.api.ConfigWriter;
import dev.ambit.api.store.ConfigSnapshot;
import dev.ambit.api.store.ConfigStore;
import dev.ambit.control.state.Debouncer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the config store across restarts in {@code <home>/config/objects.yaml} (0600): every
 * object, with the fields the control plane owns (assigned nodes, VIPs, pod status), so a restarted
 * control plane serves the same mesh. A file that no longer reads is moved aside, not lost.
 */
final class StorePersistence {

  private static final Logger log = LoggerFactory.getLogger(StorePersistence.class);

  static final Duration QUIET = Duration.ofSeconds(1);
  static final Duration MAX_DELAY = Duration.ofSeconds(5);

  private final Path file;
  private long savedRevision = -1;
  private final ScheduledExecutorService writer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("ambit-persist").factory());
  private final AtomicReference<ConfigSnapshot> queued = new AtomicReference<>();
  private final Debouncer debouncer =
      new Debouncer(writer, QUIET, MAX_DELAY, firstChange -> writeQueued());

  StorePersistence(Path home) {
    this.file = home.resolve("config").resolve("objects.yaml");
  }

  void load(ConfigStore store) {
    if (!Files.exists(file)) {
      return;
    }
    try {
      var objects = ConfigReader.read(file);
      store.apply(objects);
      log.info("restored {} objects from {}", objects.size(), file);
    } catch (ConfigException e) {
      Path aside = file.resolveSibling("objects.yaml.rejected");
      log.error("cannot restore {} (moved to {}): {}", file, aside, e.errors());
      try {
        Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException io) {
        log.error("cannot move {} aside: {}", file, io.getMessage());
      }
    }
  }

  /**
   * Saves {@code snapshot} on the writer thread, off the state thread, once changes have been quiet
   * for {@link #QUIET} (at the latest {@link #MAX_DELAY} after the first): writing every object
   * takes long in a big mesh, so a busy period costs one write of its last snapshot. A crash loses
   * at most that period; {@link #close} writes at once.
   */
  void saveLater(ConfigSnapshot snapshot) {
    queued.set(snapshot);
    debouncer.trigger();
  }

  private void writeQueued() {
    ConfigSnapshot latest = queued.getAndSet(null);
    if (latest != null) {
      save(latest);
    }
  }

  /** Stops the writer (a write under way finishes), then saves {@code last}. */
  void close(ConfigSnapshot last) {
    writer.shutdownNow();
    queued.set(null);
    try {
      writer.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    save(last);
  }

  synchronized void save(ConfigSnapshot snapshot) {
    if (snapshot.resourceVersion() == savedRevision) {
      return;
    }
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling("objects.yaml.tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(
          tmp,
          java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
              java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, ConfigWriter.toYaml(snapshot.all()), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      savedRevision = snapshot.resourceVersion();
    } catch (IOException | RuntimeException e) {
      log.warn("cannot save the config to {}: {}", file, e.getMessage());
    }
  }
}
