package dev.ambit.control.xds;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Holds the current snapshot and hands every new one to the connected streams, together with the
 * names that differ from the previous snapshot (taken from the snapshot's delta when it is relative
 * to the previous one, otherwise computed once by comparison), so each stream's work is
 * proportional to the change, not to the mesh.
 */
public final class XdsPublisher {

  /** A new snapshot, the one it replaces, and per type URL the names added, changed or removed. */
  record Update(XdsSnapshot previous, XdsSnapshot next, Map<String, Set<String>> touched) {}

  private volatile XdsSnapshot current = XdsSnapshot.EMPTY;
  private final Set<Consumer<Update>> subscribers = ConcurrentHashMap.newKeySet();

  public XdsSnapshot current() {
    return current;
  }

  public synchronized void publish(XdsSnapshot snapshot) {
    XdsSnapshot previous = current;
    XdsSnapshot.Delta delta = snapshot.delta();
    Map<String, Set<String>> touched =
        delta != null && delta.base() == previous.resources()
            ? delta.touched()
            : diff(previous, snapshot);
    current = snapshot;
    Update update = new Update(previous, snapshot, touched);
    for (Consumer<Update> s : subscribers) {
      s.accept(update);
    }
  }

  /** The names that differ between two snapshots, by type URL (compares every resource). */
  private static Map<String, Set<String>> diff(XdsSnapshot previous, XdsSnapshot snapshot) {
    Map<String, Set<String>> touched = new HashMap<>();
    Set<String> types = new HashSet<>(previous.resources().keySet());
    types.addAll(snapshot.resources().keySet());
    for (String type : types) {
      Map<String, XdsResource> before = previous.of(type);
      Map<String, XdsResource> after = snapshot.of(type);
      Set<String> names = new HashSet<>();
      after.forEach(
          (name, r) -> {
            XdsResource old = before.get(name);
            if (old == null || !old.version().equals(r.version())) {
              names.add(name);
            }
          });
      before.keySet().stream().filter(n -> !after.containsKey(n)).forEach(names::add);
      touched.put(type, names);
    }
    return touched;
  }

  void subscribe(Consumer<Update> subscriber) {
    subscribers.add(subscriber);
  }

  void unsubscribe(Consumer<Update> subscriber) {
    subscribers.remove(subscriber);
  }
}
