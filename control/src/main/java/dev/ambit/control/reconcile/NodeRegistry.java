package dev.ambit.control.reconcile;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Nodes known to the control plane (registered by node agents), in name order. */
public final class NodeRegistry {

  public record Node(String name, String address) {}

  private final Map<String, Node> nodes = new ConcurrentSkipListMap<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  public void register(String name, String address) {
    Node previous = nodes.put(name, new Node(name, address));
    if (previous == null || !previous.address().equals(address)) {
      listeners.forEach(Runnable::run);
    }
  }

  public List<Node> nodes() {
    return List.copyOf(nodes.values());
  }

  public boolean contains(String name) {
    return nodes.containsKey(name);
  }

  public void onChange(Runnable listener) {
    listeners.add(listener);
  }
}
