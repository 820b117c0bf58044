package dev.ambit.kube.source;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Whether the informers' event handlers have seen everything the informers listed. An informer's
 * start completes when its cache holds the list, but its handlers get the objects later, one by one
 * on the informer's own thread; the store is complete only once they have. Until {@link #finish()}
 * the keys each handler saw are remembered.
 */
final class InitialDelivery {

  private final Map<SharedIndexInformer<?>, Set<String>> seen = new IdentityHashMap<>();
  private boolean finished;

  /** A handler of {@code informer} got {@code object} (added, updated or deleted). */
  synchronized void saw(SharedIndexInformer<?> informer, HasMetadata object) {
    if (!finished) {
      seen.computeIfAbsent(informer, i -> new HashSet<>()).add(Cache.metaNamespaceKeyFunc(object));
      notifyAll();
    }
  }

  /**
   * Waits until the handlers of {@code informers} have seen every object in their caches; false on
   * timeout.
   */
  synchronized boolean await(List<SharedIndexInformer<?>> informers, long deadlineNanos)
      throws InterruptedException {
    while (!informers.stream().allMatch(this::caughtUp)) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
    }
    return true;
  }

  private boolean caughtUp(SharedIndexInformer<?> informer) {
    return seen.getOrDefault(informer, Set.of()).containsAll(informer.getStore().listKeys());
  }

  /** Stops remembering keys. */
  synchronized void finish() {
    finished = true;
    seen.clear();
  }
}
