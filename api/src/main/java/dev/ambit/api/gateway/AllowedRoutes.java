package dev.ambit.api.gateway;

import dev.ambit.api.Values;
import java.util.List;

/** Which routes may attach to a listener. */
public record AllowedRoutes(RouteNamespaces namespaces, List<RouteGroupKind> kinds) {
  public AllowedRoutes {
    kinds = Values.list(kinds);
  }
}
