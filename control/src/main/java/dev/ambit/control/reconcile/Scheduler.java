package dev.ambit.control.reconcile;

import dev.ambit.api.Kind;
import dev.ambit.api.Resource;
import dev.ambit.api.ResourceKey;
import dev.ambit.api.core.PodSpec;
import dev.ambit.api.store.ConfigSnapshot;
import dev.ambit.api.store.ConfigStore;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assigns a node to every Pod without {@code spec.nodeName}, round-robin over the registered nodes.
 * A pod keeps its node when it is re-applied without one (the choice is remembered). Pods waiting
 * for a node (none registered yet) are kept, so a pass looks only at changed pods and the waiting
 * ones, not at the whole mesh.
 */
public final class Scheduler {

  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

  private final NodeRegistry nodes;
  private final Map<String, String> assigned = new ConcurrentHashMap<>();
  private final NavigableSet<ResourceKey> waiting =
      new TreeSet<>(Comparator.comparing(ResourceKey::namespace).thenComparing(ResourceKey::name));
  private int next;

  public Scheduler(NodeRegistry nodes) {
    this.nodes = nodes;
  }

  /**
   * Schedules the pods without a node among {@code changed} (every pod when null) and those still
   * waiting from earlier passes.
   */
  public synchronized void reconcile(
      ConfigSnapshot config, ConfigStore store, Collection<ResourceKey> changed) {
    if (changed == null) {
      for (Resource<PodSpec> pod : config.list(PodSpec.class, null)) {
        observe(pod.key(), pod);
      }
    } else {
      for (ResourceKey key : changed) {
        if (key.kind() == Kind.POD) {
          observe(key, config.get(PodSpec.class, key.namespace(), key.name()).orElse(null));
        }
      }
    }
    List<NodeRegistry.Node> known = nodes.nodes();
    if (known.isEmpty()) {
      return;
    }
    for (ResourceKey podKey : List.copyOf(waiting)) {
      String key = podKey.namespace() + "/" + podKey.name();
      String node = assigned.get(key);
      if (node == null || !nodes.contains(node)) {
        node = known.get(next++ % known.size()).name();
      }
      String chosen = node;
      try {
        store.update(
            podKey,
            r ->
                r.as(PodSpec.class)
                    .orElseThrow()
                    .withSpec(((PodSpec) r.spec()).withNodeName(chosen)));
        assigned.put(key, chosen);
        waiting.remove(podKey);
        log.info("scheduled pod {} on {}", key, chosen);
      } catch (Exception e) {
        waiting.remove(podKey);
        log.warn("cannot schedule pod {}: {}", key, e.getMessage());
      }
    }
  }

  private void observe(ResourceKey key, Resource<PodSpec> pod) {
    if (pod == null) {
      waiting.remove(key);
    } else if (pod.spec().nodeName() != null) {
      assigned.putIfAbsent(pod.namespace() + "/" + pod.name(), pod.spec().nodeName());
      waiting.remove(key);
    } else {
      waiting.add(key);
    }
  }
}
