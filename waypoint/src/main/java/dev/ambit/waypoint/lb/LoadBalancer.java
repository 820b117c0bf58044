package dev.ambit.waypoint.lb;

import dev.ambit.waypoint.config.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Least-request load balancing (power of two choices) with passive health checking. Endpoint state
 * is keyed by endpoint, so it survives configuration updates.
 */
public final class LoadBalancer {

  private static final Logger LOG = LoggerFactory.getLogger(LoadBalancer.class);

  private final ConcurrentHashMap<String, EndpointStats> stats = new ConcurrentHashMap<>();
  private final OutlierPolicy policy;
  private final LongSupplier nanoClock;

  public LoadBalancer(OutlierPolicy policy, LongSupplier nanoClock) {
    this.policy = policy;
    this.nanoClock = nanoClock;
  }

  public EndpointStats stats(Endpoint e) {
    return stats.computeIfAbsent(e.key(), k -> new EndpointStats());
  }

  /**
   * Picks an endpoint among the healthy, non-ejected ones; when every healthy one is ejected, picks
   * among them anyway (panic mode) rather than failing all traffic. Empty when none is healthy.
   */
  public Optional<Endpoint> pick(List<Endpoint> endpoints, RandomGenerator random) {
    long now = nanoClock.getAsLong();
    List<Endpoint> healthy = new ArrayList<>(endpoints.size());
    List<Endpoint> available = new ArrayList<>(endpoints.size());
    for (Endpoint e : endpoints) {
      if (!e.healthy()) {
        continue;
      }
      healthy.add(e);
      if (stats(e).available(now)) {
        available.add(e);
      }
    }
    List<Endpoint> from = available.isEmpty() ? healthy : available;
    if (from.isEmpty()) {
      return Optional.empty();
    }
    if (from.size() == 1) {
      return Optional.of(from.get(0));
    }
    int a = random.nextInt(from.size());
    int b = random.nextInt(from.size() - 1);
    if (b >= a) {
      b++;
    }
    Endpoint ea = from.get(a);
    Endpoint eb = from.get(b);
    return Optional.of(stats(eb).active() < stats(ea).active() ? eb : ea);
  }

  /** Marks a request to {@code e} as started; call {@link #finish} exactly once afterwards. */
  public void start(Endpoint e) {
    stats(e).begin();
  }

  /**
   * @param failed a 5xx answer or a failure to connect
   */
  public void finish(Endpoint e, boolean failed) {
    EndpointStats s = stats(e);
    s.end();
    if (!failed) {
      s.success();
    } else if (s.failure(policy, nanoClock.getAsLong())) {
      LOG.info("ejecting endpoint {} after consecutive failures", e.key());
    }
  }

  public boolean ejected(Endpoint e) {
    return stats(e).ejected(nanoClock.getAsLong());
  }

  /** Forgets the state of endpoints of workloads that are gone from the configuration. */
  public void retainWorkloads(java.util.Set<String> uids) {
    stats.keySet().removeIf(k -> !uids.contains(Endpoint.uidOf(k)));
  }
}
