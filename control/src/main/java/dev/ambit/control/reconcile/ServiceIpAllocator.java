package dev.ambit.control.reconcile;

import dev.ambit.api.Resource;
import dev.ambit.api.core.ServiceSpec;
import dev.ambit.api.store.ConfigSnapshot;
import dev.ambit.api.store.ConfigStore;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every Service without {@code clusterIP} a VIP from 10.96.0.0/16. The first candidate is
 * derived from the service's namespace/name, so a service usually gets the same VIP again after a
 * restart; collisions probe the next address. 10.96.0.0-10.96.0.9 and 10.96.255.255 are never used.
 */
public final class ServiceIpAllocator {

  private static final Logger log = LoggerFactory.getLogger(ServiceIpAllocator.class);
  private static final int FIRST = 10;
  private static final int SIZE = 65536 - FIRST - 1;

  public synchronized void reconcile(ConfigSnapshot config, ConfigStore store) {
    Set<String> used = new HashSet<>();
    for (Resource<ServiceSpec> s : config.list(ServiceSpec.class, null)) {
      if (s.spec().clusterIP() != null) {
        used.add(s.spec().clusterIP());
      }
    }
    for (Resource<ServiceSpec> s : config.list(ServiceSpec.class, null)) {
      if (s.spec().clusterIP() != null) {
        continue;
      }
      String ip = allocate(s.namespace() + "/" + s.name(), used);
      if (ip == null) {
        log.error("no free service VIP left in 10.96.0.0/16 for {}/{}", s.namespace(), s.name());
        return;
      }
      try {
        store.update(
            s.key(),
            r ->
                r.as(ServiceSpec.class)
                    .orElseThrow()
                    .withSpec(((ServiceSpec) r.spec()).withClusterIP(ip)));
        used.add(ip);
        log.info("assigned VIP {} to service {}/{}", ip, s.namespace(), s.name());
      } catch (Exception e) {
        log.warn("cannot assign a VIP to {}/{}: {}", s.namespace(), s.name(), e.getMessage());
      }
    }
  }

  static String allocate(String key, Set<String> used) {
    int start = Math.floorMod(key.hashCode() * 0x9E3779B1, SIZE);
    for (int i = 0; i < SIZE; i++) {
      int n = FIRST + (start + i) % SIZE;
      String ip = "10.96." + (n >> 8) + "." + (n & 0xff);
      if (!used.contains(ip)) {
        return ip;
      }
    }
    return null;
  }
}
