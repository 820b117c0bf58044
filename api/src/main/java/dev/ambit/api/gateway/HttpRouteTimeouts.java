package dev.ambit.api.gateway;

import dev.ambit.api.schema.Checks;
import dev.ambit.api.schema.SelfCheck;
import java.time.Duration;

/**
 * Timeouts of a route rule: {@code request} for the whole request including retries, {@code
 * backendRequest} for each try. Zero disables a timeout.
 */
public record HttpRouteTimeouts(Duration request, Duration backendRequest) implements SelfCheck {
  @Override
  public void check(Checks checks) {
    if (request != null
        && backendRequest != null
        && !request.isZero()
        && (backendRequest.isZero() || backendRequest.compareTo(request) > 0)) {
      checks.error("backendRequest", "must not be longer than request");
    }
  }
}
