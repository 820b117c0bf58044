package dev.ambit.kube.source;

import dev.ambit.api.ConfigException;
import dev.ambit.api.Kind;
import dev.ambit.api.Resource;
import dev.ambit.api.ResourceKey;
import dev.ambit.api.store.ConfigStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies translated objects to the {@link ConfigStore} from one thread, in batches: changes
 * arriving while a batch is applied are coalesced per object (the latest wins) and committed
 * together, so listing thousands of pods costs a few commits, not thousands.
 *
 * <p>An object is written only when it differs from what the store holds (spec, labels,
 * annotations, status): resyncs and relists after a watch restart (410 Gone) change nothing and so
 * push nothing.
 */
final class StoreSync implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StoreSync.class);

  private final ConfigStore store;
  private final Thread worker;
  private final Object lock = new Object();
  private Map<ResourceKey, Optional<Resource<?>>> pending = new LinkedHashMap<>();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong unchanged = new AtomicLong();
  private final AtomicLong processed = new AtomicLong();
  private volatile boolean closed;
  private boolean busy;
  private boolean held;

  StoreSync(ConfigStore store) {
    this.store = store;
    this.worker = Thread.ofPlatform().daemon().name("ambit-kube-sync").start(this::run);
  }

  /** The object at {@code key} should be {@code object}, or absent when empty. */
  void offer(ResourceKey key, Optional<Resource<?>> object) {
    synchronized (lock) {
      pending.put(key, object);
      lock.notifyAll();
    }
  }

  /** Offers collect without being applied until {@link #release()}. */
  void hold() {
    synchronized (lock) {
      held = true;
    }
  }

  /** Applies what collected while held (in one batch) and everything after. */
  void release() {
    synchronized (lock) {
      held = false;
      lock.notifyAll();
    }
  }

  /** Removes every object of {@code kinds} from the store whose key is not in {@code present}. */
  void prune(Set<Kind> kinds, Set<ResourceKey> present) {
    synchronized (lock) {
      for (Resource<?> r : store.snapshot().all()) {
        if (kinds.contains(r.kind()) && !present.contains(r.key())) {
          pending.putIfAbsent(r.key(), Optional.empty());
        }
      }
      lock.notifyAll();
    }
  }

  /** Objects written to (or deleted from) the store so far. */
  long written() {
    return written.get();
  }

  /** Offers that matched the store and were skipped. */
  long unchanged() {
    return unchanged.get();
  }

  /** Offers handled so far (written or skipped). */
  long processed() {
    return processed.get();
  }

  /** Waits until every offer so far has been handled; false on timeout. */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while ((!pending.isEmpty() && !held) || busy) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }

  private void run() {
    while (!closed) {
      Map<ResourceKey, Optional<Resource<?>>> batch;
      synchronized (lock) {
        busy = false;
        lock.notifyAll();
        while ((pending.isEmpty() || held) && !closed) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        batch = pending;
        pending = new LinkedHashMap<>();
        busy = true;
      }
      try {
        apply(batch);
      } catch (RuntimeException e) {
        log.error("cannot apply Kubernetes objects to the store", e);
      }
    }
  }

  private void apply(Map<ResourceKey, Optional<Resource<?>>> batch) {
    List<Resource<?>> puts = new ArrayList<>();
    Set<ResourceKey> deletes = new HashSet<>();
    batch.forEach(
        (key, want) -> {
          Optional<Resource<?>> have = store.get(key);
          if (want.isEmpty()) {
            if (have.isPresent()) {
              deletes.add(key);
            }
          } else if (have.isEmpty() || differs(have.get(), want.get())) {
            puts.add(want.get());
          }
        });
    unchanged.addAndGet(batch.size() - puts.size() - deletes.size());
    if (!puts.isEmpty() || !deletes.isEmpty()) {
      try {
        store.apply(puts, deletes);
        written.addAndGet(puts.size() + deletes.size());
      } catch (ConfigException e) {
        applyOneByOne(puts, deletes);
      }
    }
    processed.addAndGet(batch.size());
  }

  /** A batch the store refused: commit what it accepts and log the rest. */
  private void applyOneByOne(List<Resource<?>> puts, Set<ResourceKey> deletes) {
    for (Resource<?> r : puts) {
      try {
        store.apply(List.of(r));
        written.incrementAndGet();
      } catch (ConfigException e) {
        log.warn("{} not applied: {}", r.key(), e.getMessage());
      }
    }
    for (ResourceKey key : deletes) {
      store.delete(key).ifPresent(d -> written.incrementAndGet());
    }
  }

  static boolean differs(Resource<?> have, Resource<?> want) {
    return !have.spec().equals(want.spec())
        || !have.metadata().labels().equals(want.metadata().labels())
        || !have.metadata().annotations().equals(want.metadata().annotations())
        || !Objects.equals(have.status(), want.status());
  }

  @Override
  public void close() {
    closed = true;
    synchronized (lock) {
      lock.notifyAll();
    }
    worker.interrupt();
  }
}
