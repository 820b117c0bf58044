package dev.ambit.waypoint.lb;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Which load-balancing algorithm each backend service gets: least request (power of two choices,
 * the default) or round robin. Written as {@code round-robin} (every service) or as a comma list of
 * {@code namespace/name=algorithm} entries, optionally with a bare default first, e.g. {@code
 * shop/reviews=round-robin,shop/ratings=least-request}.
 */
public record LoadBalancing(Algorithm fallback, Map<String, Algorithm> byService) {

  public enum Algorithm {
    LEAST_REQUEST,
    ROUND_ROBIN;

    static Algorithm parse(String s) {
      return switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "least-request", "least_request" -> LEAST_REQUEST;
        case "round-robin", "round_robin" -> ROUND_ROBIN;
        default ->
            throw new IllegalArgumentException(
                "unknown load balancer '" + s.trim() + "' (least-request or round-robin)");
      };
    }
  }

  public static final LoadBalancing DEFAULT = new LoadBalancing(Algorithm.LEAST_REQUEST, Map.of());

  public LoadBalancing {
    byService = Map.copyOf(byService);
  }

  /** The algorithm for the service {@code namespace/name}. */
  public Algorithm of(String namespace, String name) {
    return byService.getOrDefault(namespace + "/" + name, fallback);
  }

  /** Parses the textual form (see the class comment); null or blank means {@link #DEFAULT}. */
  public static LoadBalancing parse(String spec) {
    if (spec == null || spec.isBlank()) {
      return DEFAULT;
    }
    Algorithm fallback = Algorithm.LEAST_REQUEST;
    Map<String, Algorithm> byService = new HashMap<>();
    for (String part : spec.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq < 0) {
        fallback = Algorithm.parse(part);
        continue;
      }
      String service = part.substring(0, eq).trim();
      if (!service.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
        throw new IllegalArgumentException(
            "load balancer entry '" + part.trim() + "' must name a service as namespace/name");
      }
      byService.put(service, Algorithm.parse(part.substring(eq + 1)));
    }
    return new LoadBalancing(fallback, byService);
  }
}
