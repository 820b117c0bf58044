package dev.ambit.waypoint.lb;

import java.util.concurrent.atomic.AtomicInteger;

/** Live state of one endpoint: requests in flight and passive health. Thread-safe. */
public final class EndpointStats {

  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private volatile long ejectedUntilNanos;
  private volatile boolean ejected;
  private final AtomicInteger ejections = new AtomicInteger();

  public int active() {
    return active.get();
  }

  void begin() {
    active.incrementAndGet();
  }

  void end() {
    active.decrementAndGet();
  }

  boolean available(long nowNanos) {
    return !ejected || nowNanos - ejectedUntilNanos >= 0;
  }

  /** Records a success; an ejected endpoint that succeeds again is fully back. */
  void success() {
    consecutiveFailures.set(0);
    if (ejected) {
      ejected = false;
    }
  }

  /** Records a failure; returns true when this failure ejected the endpoint. */
  boolean failure(OutlierPolicy policy, long nowNanos) {
    int n = consecutiveFailures.incrementAndGet();
    if (n >= policy.consecutiveFailures() && available(nowNanos)) {
      int times = Math.min(ejections.incrementAndGet(), 10);
      ejectedUntilNanos = nowNanos + policy.baseEjection().toNanos() * times;
      ejected = true;
      consecutiveFailures.set(0);
      return true;
    }
    return false;
  }

  public boolean ejected(long nowNanos) {
    return !available(nowNanos);
  }
}
