package dev.ambit.waypoint.lb;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Bounds the requests in flight per backend service; over the bound the caller answers 503. */
public final class PendingLimiter {

  private final int max;
  private final ConcurrentHashMap<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

  public PendingLimiter(int max) {
    this.max = max;
  }

  /** Takes a slot for {@code backend}; false (and nothing taken) when the backend is full. */
  public boolean tryAcquire(String backend) {
    AtomicInteger n = inFlight.computeIfAbsent(backend, k -> new AtomicInteger());
    if (n.incrementAndGet() > max) {
      n.decrementAndGet();
      return false;
    }
    return true;
  }

  public void release(String backend) {
    AtomicInteger n = inFlight.get(backend);
    if (n != null) {
      n.decrementAndGet();
    }
  }
}
