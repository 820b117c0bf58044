package dev.ambit.control.state;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Coalesces bursts of change notifications: the action runs once the changes have been quiet for
 * {@code quiet}, or at the latest {@code max} after the first change of the burst. The action
 * receives the {@link System#nanoTime()} of that first change.
 */
public final class Debouncer {

  private final ScheduledExecutorService executor;
  private final Duration quiet;
  private final Duration max;
  private final LongConsumer action;
  private long firstChange = -1;
  private ScheduledFuture<?> pending;

  public Debouncer(
      ScheduledExecutorService executor, Duration quiet, Duration max, LongConsumer action) {
    this.executor = executor;
    this.quiet = quiet;
    this.max = max;
    this.action = action;
  }

  public synchronized void trigger() {
    long now = System.nanoTime();
    if (firstChange < 0) {
      firstChange = now;
    }
    if (pending != null) {
      pending.cancel(false);
    }
    long deadline = firstChange + max.toNanos();
    long delay = Math.min(quiet.toNanos(), Math.max(0, deadline - now));
    try {
      pending = executor.schedule(this::fire, delay, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      pending = null; // shutting down: nothing more to build
    }
  }

  private void fire() {
    long first;
    synchronized (this) {
      first = firstChange;
      firstChange = -1;
      pending = null;
    }
    if (first >= 0) {
      action.accept(first);
    }
  }
}
