package dev.ambit.ztunnel.proxy;

import dev.ambit.transport.netns.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns on {@code net.ipv4.tcp_migrate_req} in a pod's network namespace, where the ztunnel's
 * listeners share their ports (SO_REUSEPORT) with those of a ztunnel started alongside it. When a
 * draining ztunnel closes its listeners, the kernel then moves the connections still waiting in
 * their accept queues to the other ztunnel's listeners instead of resetting them, so a handover
 * loses no connection a client already opened. The setting belongs to the pod's namespace only; the
 * ztunnel's own namespace (pods sharing it, as in tests) is left as the host configured it.
 */
final class AcceptQueueMigration {

  private static final Logger LOG = LoggerFactory.getLogger(AcceptQueueMigration.class);
  private static final Path SETTING = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");

  private AcceptQueueMigration() {}

  /** Enables the migration in {@code netns}; a failure is logged and the pod runs without it. */
  static void enable(Path netns, String pod) {
    if (netns == null) {
      return;
    }
    try {
      // /proc/sys/net is resolved in the namespace of the thread that opens it.
      Netns.run(
          netns,
          () -> {
            if (!Files.readString(SETTING).strip().equals("1")) {
              Files.writeString(SETTING, "1");
            }
            return null;
          });
    } catch (Exception e) {
      LOG.warn(
          "{}: cannot enable accept-queue migration (net.ipv4.tcp_migrate_req): {}; connections"
              + " queued on a closing listener will be reset during a handover",
          pod,
          e.toString());
    }
  }
}
