package dev.ambit.api.gateway;

import dev.ambit.api.Values;
import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.Rule;
import java.time.Duration;
import java.util.List;

/**
 * Retries of a route rule: at most {@code attempts} retries, for responses with one of {@code
 * codes} (and connection failures), waiting {@code backoff} before each.
 */
public record HttpRouteRetry(
    @Check(Rule.NON_NEGATIVE) Integer attempts,
    @Check(Rule.RETRY_CODE) List<Integer> codes,
    Duration backoff) {

  public HttpRouteRetry {
    codes = Values.list(codes);
  }
}
