package dev.ambit.waypoint.lb;

import java.time.Duration;

/**
 * Passive health: after {@code consecutiveFailures} 5xx answers or connect failures in a row an
 * endpoint is left out for {@code baseEjection} times the number of times it was ejected so far.
 */
public record OutlierPolicy(int consecutiveFailures, Duration baseEjection) {

  public static final OutlierPolicy DEFAULT = new OutlierPolicy(5, Duration.ofSeconds(30));
}
