package dev.ambit.control.reconcile;

import dev.ambit.api.Resource;
import dev.ambit.api.core.PodSpec;
import dev.ambit.api.store.ConfigSnapshot;
import dev.ambit.api.store.ConfigStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assigns a node to every Pod without {@code spec.nodeName}, round-robin over the registered nodes.
 * A pod keeps its node when it is re-applied without one (the choice is remembered).
 */
public final class Scheduler {

  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

  private final NodeRegistry nodes;
  private final Map<String, String> assigned = new ConcurrentHashMap<>();
  private int next;

  public Scheduler(NodeRegistry nodes) {
    this.nodes = nodes;
  }

  public synchronized void reconcile(ConfigSnapshot config, ConfigStore store) {
    List<NodeRegistry.Node> known = nodes.nodes();
    for (Resource<PodSpec> pod : config.list(PodSpec.class, null)) {
      String key = pod.namespace() + "/" + pod.name();
      if (pod.spec().nodeName() != null) {
        assigned.putIfAbsent(key, pod.spec().nodeName());
        continue;
      }
      String node = assigned.get(key);
      if (node == null || !nodes.contains(node)) {
        if (known.isEmpty()) {
          continue;
        }
        node = known.get(next++ % known.size()).name();
      }
      String chosen = node;
      try {
        store.update(
            pod.key(),
            r ->
                r.as(PodSpec.class)
                    .orElseThrow()
                    .withSpec(((PodSpec) r.spec()).withNodeName(chosen)));
        assigned.put(key, chosen);
        log.info("scheduled pod {} on {}", key, chosen);
      } catch (Exception e) {
        log.warn("cannot schedule pod {}: {}", key, e.getMessage());
      }
    }
  }
}
