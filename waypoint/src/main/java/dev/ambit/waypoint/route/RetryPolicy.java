package dev.ambit.waypoint.route;

import dev.ambit.proto.waypoint.Retry;
import java.time.Duration;
import java.util.Set;

/**
 * When and how often a failed attempt is tried again.
 *
 * @param attempts total attempts including the first; 1 means no retry
 * @param codes response codes that count as a retriable failure
 * @param backoff base wait before the second attempt; doubled for each further attempt
 */
public record RetryPolicy(int attempts, Set<Integer> codes, Duration backoff) {

  /** The codes the Gateway API names as retriable when a route lists none. */
  public static final Set<Integer> DEFAULT_CODES = Set.of(500, 502, 503, 504);

  public static final Duration DEFAULT_BACKOFF = Duration.ofMillis(25);
  public static final RetryPolicy NONE = new RetryPolicy(1, DEFAULT_CODES, DEFAULT_BACKOFF);

  static RetryPolicy of(Retry r) {
    if (r == null || r.getAttempts() <= 1) {
      return NONE;
    }
    Set<Integer> codes =
        r.getCodesCount() == 0
            ? DEFAULT_CODES
            : Set.copyOf(r.getCodesList().stream().map(Integer::valueOf).toList());
    Duration backoff = r.hasBackoff() ? CompiledRule.duration(r.getBackoff()) : DEFAULT_BACKOFF;
    return new RetryPolicy(r.getAttempts(), codes, backoff);
  }

  public boolean retriable(int status) {
    return codes.contains(status);
  }

  /** Wait before attempt number {@code attempt} (2 = first retry). */
  public Duration backoffBefore(int attempt) {
    int shift = Math.min(Math.max(attempt - 2, 0), 6);
    return backoff.multipliedBy(1L << shift);
  }
}
