package dev.ambit.ztunnel.proxy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Proxy addresses (waypoint replicas, destination ztunnels) an outbound connection recently failed
 * to reach: avoided for a short while when another healthy choice exists, so that a replica that
 * died is not tried again for every new connection until the state says it is gone.
 */
final class Ejections {

  private final long nanos;
  private final Map<InetAddress, Long> until = new ConcurrentHashMap<>();

  Ejections(Duration duration) {
    this.nanos = duration.toNanos();
  }

  void eject(InetAddress address) {
    until.put(address, System.nanoTime() + nanos);
  }

  boolean ejected(InetAddress address) {
    if (until.isEmpty()) {
      return false;
    }
    Long end = until.get(address);
    if (end == null) {
      return false;
    }
    if (end - System.nanoTime() > 0) {
      return true;
    }
    until.remove(address, end);
    return false;
  }
}
