package dev.ambit.waypoint.lb;

import dev.ambit.waypoint.config.Endpoint;
import dev.ambit.waypoint.config.ServiceInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Load balancing with passive health checking: least request (power of two choices) by default,
 * round robin for the services whose configuration asks for it ({@link Algorithm}), read at each
 * pick so that a change applies to the next request. Endpoint state is keyed by endpoint, so it
 * survives configuration updates.
 */
public final class LoadBalancer {

  private static final Logger LOG = LoggerFactory.getLogger(LoadBalancer.class);

  private final ConcurrentHashMap<String, EndpointStats> stats = new ConcurrentHashMap<>();
  private final OutlierPolicy policy;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, AtomicInteger> rounds = new ConcurrentHashMap<>();

  public LoadBalancer(OutlierPolicy policy, LongSupplier nanoClock) {
    this.policy = policy;
    this.nanoClock = nanoClock;
  }

  /**
   * Picks an endpoint of {@code service} with the algorithm configured for it (see {@link
   * #pick(List, RandomGenerator)} for the health rules). Round robin walks the available endpoints
   * in the configuration's order, one step per request.
   */
  public Optional<Endpoint> pick(
      ServiceInfo service, List<Endpoint> endpoints, RandomGenerator random) {
    if (service.loadBalancer() != Algorithm.ROUND_ROBIN) {
      return pick(endpoints, random);
    }
    List<Endpoint> from = candidates(endpoints);
    if (from.isEmpty()) {
      return Optional.empty();
    }
    AtomicInteger next = rounds.computeIfAbsent(service.key(), k -> new AtomicInteger());
    return Optional.of(from.get(Math.floorMod(next.getAndIncrement(), from.size())));
  }

  public EndpointStats stats(Endpoint e) {
    return stats.computeIfAbsent(e.key(), k -> new EndpointStats());
  }

  /**
   * Picks an endpoint among the healthy, non-ejected ones; when every healthy one is ejected, picks
   * among them anyway (panic mode) rather than failing all traffic. Empty when none is healthy.
   */
  public Optional<Endpoint> pick(List<Endpoint> endpoints, RandomGenerator random) {
    List<Endpoint> from = candidates(endpoints);
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

  /** The healthy, non-ejected endpoints; all healthy ones when every one is ejected (panic). */
  private List<Endpoint> candidates(List<Endpoint> endpoints) {
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
    return available.isEmpty() ? healthy : available;
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
