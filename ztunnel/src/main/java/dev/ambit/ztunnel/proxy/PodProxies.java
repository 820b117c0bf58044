package dev.ambit.ztunnel.proxy;

import dev.ambit.ztunnel.pods.PodLifecycle;
import dev.ambit.ztunnel.pods.PodSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The enrolled pods of this node. Adding a pod fetches its certificate ahead of traffic and opens
 * its listeners; removing it closes them and its connections. {@link #drain} implements graceful
 * shutdown.
 */
public final class PodProxies implements PodLifecycle, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PodProxies.class);

  private final ProxyContext ctx;
  private final Map<String, PodProxy> pods = new ConcurrentHashMap<>();
  private volatile boolean draining;

  public PodProxies(ProxyContext ctx) {
    this.ctx = ctx;
    ctx.state().onUpdate(ctx.open()::reevaluate);
  }

  @Override
  public synchronized CompletionStage<Void> add(PodSpec spec) {
    if (draining) {
      return CompletableFuture.failedFuture(new IllegalStateException("ztunnel is shutting down"));
    }
    PodProxy old = pods.get(spec.uid());
    if (old != null && old.spec().equals(spec)) {
      // A node agent repeating itself (e.g. after its restart): keep listeners and connections.
      return old.opened();
    }
    if (old != null) {
      pods.remove(spec.uid());
      closePod(old);
    }
    PodProxy pod = new PodProxy(ctx, spec);
    ctx.certificates().retain(pod.identity());
    pods.put(spec.uid(), pod);
    return pod.open()
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                LOG.warn("pod {} could not be enrolled: {}", spec.uid(), e.getMessage());
                synchronized (this) {
                  if (pods.remove(spec.uid(), pod)) {
                    ctx.certificates().release(pod.identity());
                  }
                }
              }
            });
  }

  @Override
  public synchronized CompletionStage<Void> remove(String uid) {
    PodProxy pod = pods.remove(uid);
    if (pod != null) {
      closePod(pod);
      LOG.info("pod {} removed", uid);
    }
    return CompletableFuture.completedFuture(null);
  }

  private void closePod(PodProxy pod) {
    pod.close();
    ctx.certificates().release(pod.identity());
  }

  public PodProxy pod(String uid) {
    return pods.get(uid);
  }

  public List<PodProxy> pods() {
    return List.copyOf(pods.values());
  }

  /**
   * Stops accepting on every pod, waits until their connections ended or {@code deadline} passed,
   * then closes what is left.
   *
   * @return how many connections were still open at the deadline (and were then closed)
   */
  public int drain(Duration deadline) throws InterruptedException {
    draining = true;
    List<PodProxy> all = pods();
    all.forEach(PodProxy::stopAccepting);
    Instant until = Instant.now().plus(deadline);
    LOG.info("draining {} pods until {}", all.size(), until);
    while (Instant.now().isBefore(until) && all.stream().anyMatch(p -> p.connectionCount() > 0)) {
      synchronized (this) {
        wait(100);
      }
    }
    int left = all.stream().mapToInt(PodProxy::connectionCount).sum();
    close();
    return left;
  }

  @Override
  public synchronized void close() {
    for (PodProxy p : pods.values()) {
      closePod(p);
    }
    pods.clear();
  }
}
