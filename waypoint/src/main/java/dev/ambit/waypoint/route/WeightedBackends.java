package dev.ambit.waypoint.route;

import dev.ambit.proto.waypoint.BackendRef;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/** The backendRefs of a rule and a weighted random choice among them. */
public final class WeightedBackends {

  private final List<BackendRef> backends;
  private final long[] cumulative;
  private final long total;

  WeightedBackends(List<BackendRef> backends) {
    this.backends = backends;
    this.cumulative = new long[backends.size()];
    long sum = 0;
    for (int i = 0; i < backends.size(); i++) {
      sum += backends.get(i).getWeight();
      cumulative[i] = sum;
    }
    this.total = sum;
  }

  public List<BackendRef> all() {
    return backends;
  }

  /** A backend in proportion to its weight; empty when there is none with a positive weight. */
  public Optional<BackendRef> pick(RandomGenerator random) {
    if (total == 0) {
      return Optional.empty();
    }
    long r = random.nextLong(total);
    for (int i = 0; i < cumulative.length; i++) {
      if (r < cumulative[i]) {
        return Optional.of(backends.get(i));
      }
    }
    throw new IllegalStateException("unreachable: weights sum to " + total);
  }
}
