package dev.ambit.waypoint.lb;

import dev.ambit.proto.workload.LoadBalancerAlgorithm;

/**
 * How a service's requests are spread over its endpoints, chosen per Service by its annotation
 * {@code ambit.dev/load-balancer} (carried as {@code Service.ambit_load_balancer}).
 */
public enum Algorithm {
  /** Power of two choices among the available endpoints: the one with fewer requests in flight. */
  LEAST_REQUEST,
  /** Each available endpoint in turn, in the configuration's order. */
  ROUND_ROBIN;

  public static Algorithm of(LoadBalancerAlgorithm configured) {
    return configured == LoadBalancerAlgorithm.LB_ROUND_ROBIN ? ROUND_ROBIN : LEAST_REQUEST;
  }
}
