package dev.ambit.control.xds;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** Holds the current snapshot and hands every new one to the connected streams. */
public final class XdsPublisher {

  private volatile XdsSnapshot current = XdsSnapshot.EMPTY;
  private final Set<Consumer<XdsSnapshot>> subscribers = ConcurrentHashMap.newKeySet();

  public XdsSnapshot current() {
    return current;
  }

  public synchronized void publish(XdsSnapshot snapshot) {
    current = snapshot;
    for (Consumer<XdsSnapshot> s : subscribers) {
      s.accept(snapshot);
    }
  }

  void subscribe(Consumer<XdsSnapshot> subscriber) {
    subscribers.add(subscriber);
  }

  void unsubscribe(Consumer<XdsSnapshot> subscriber) {
    subscribers.remove(subscriber);
  }
}
