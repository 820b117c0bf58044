package dev.ambit.ztunnel.state;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Holds a connection briefly while the state it needs has not arrived: {@link #await} completes as
 * soon as a snapshot answers the lookup, or with null after the timeout.
 */
public final class StateWaiter {

  private record Pending<T>(Function<StateSnapshot, T> lookup, CompletableFuture<T> result) {
    void check(StateSnapshot s) {
      T value = lookup.apply(s);
      if (value != null) {
        result.complete(value);
      }
    }
  }

  private final StateStore store;
  private final ScheduledExecutorService timer;
  private final java.util.Set<Pending<?>> pending = ConcurrentHashMap.newKeySet();

  public StateWaiter(StateStore store, ScheduledExecutorService timer) {
    this.store = store;
    this.timer = timer;
    store.onUpdate(this::updated);
  }

  /** The lookup's answer from the current snapshot, or from one published within {@code max}. */
  public <T> CompletableFuture<T> await(Function<StateSnapshot, T> lookup, Duration max) {
    T now = lookup.apply(store.snapshot());
    if (now != null) {
      return CompletableFuture.completedFuture(now);
    }
    Pending<T> p = new Pending<>(lookup, new CompletableFuture<>());
    pending.add(p);
    p.result().whenComplete((v, e) -> pending.remove(p));
    p.check(store.snapshot());
    timer.schedule(() -> p.result().complete(null), max.toMillis(), TimeUnit.MILLISECONDS);
    return p.result();
  }

  /** How many lookups are waiting. */
  public int waiting() {
    return pending.size();
  }

  private void updated(StateSnapshot s) {
    for (Pending<?> p : pending) {
      p.check(s);
    }
  }
}
