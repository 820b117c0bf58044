package dev.ambit.waypoint.route;

import dev.ambit.proto.waypoint.HttpRoute;
import dev.ambit.proto.waypoint.ParentRef;
import dev.ambit.proto.waypoint.PathMatch;
import dev.ambit.proto.waypoint.RouteMatch;
import dev.ambit.proto.waypoint.RouteRule;
import dev.ambit.waypoint.config.ServiceInfo;
import io.netty.handler.codec.http.HttpRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every HTTPRoute compiled per parent Service, each list in Gateway API precedence order.
 * Immutable.
 */
public final class RouteTable {

  private static final Logger LOG = LoggerFactory.getLogger(RouteTable.class);

  /** Key "ns/name/port" of the parent; port 0 holds the matches of parents without a port. */
  private final Map<String, List<CompiledMatch>> byParent;

  private RouteTable(Map<String, List<CompiledMatch>> byParent) {
    this.byParent = byParent;
  }

  public static RouteTable empty() {
    return new RouteTable(Map.of());
  }

  /** Compiles routes; a route with an invalid regex is skipped (and logged), not half-applied. */
  public static RouteTable of(Collection<HttpRoute> routes) {
    Map<String, List<CompiledMatch>> byParent = new HashMap<>();
    for (HttpRoute route : routes) {
      List<CompiledMatch> matches;
      try {
        matches = compile(route);
      } catch (RuntimeException e) {
        LOG.warn(
            "ignoring HttpRoute {}/{}: {}", route.getNamespace(), route.getName(), e.toString());
        continue;
      }
      for (ParentRef p : route.getParentsList()) {
        String ns = p.getNamespace().isEmpty() ? route.getNamespace() : p.getNamespace();
        byParent
            .computeIfAbsent(ns + "/" + p.getName() + "/" + p.getPort(), k -> new ArrayList<>())
            .addAll(matches);
      }
    }
    byParent.values().forEach(l -> l.sort(CompiledMatch.PRECEDENCE));
    return new RouteTable(byParent);
  }

  private static List<CompiledMatch> compile(HttpRoute route) {
    List<CompiledMatch> out = new ArrayList<>();
    String key = route.getNamespace() + "/" + route.getName();
    for (int i = 0; i < route.getRulesCount(); i++) {
      RouteRule r = route.getRules(i);
      CompiledRule rule = CompiledRule.of(route, i);
      List<RouteMatch> matches =
          r.getMatchesCount() == 0 ? List.of(RouteMatch.getDefaultInstance()) : r.getMatchesList();
      for (int j = 0; j < matches.size(); j++) {
        RouteMatch m = matches.get(j);
        PathMatch path = m.hasPath() ? m.getPath() : PathMatch.newBuilder().setValue("/").build();
        out.add(
            new CompiledMatch(
                PathMatcher.of(path),
                m.getMethod(),
                m.getHeadersList().stream().map(ValueMatcher::of).toList(),
                m.getQueryParamsList().stream().map(ValueMatcher::of).toList(),
                route.getCreatedMillis(),
                key,
                i,
                j,
                rule));
      }
    }
    return out;
  }

  /** Whether any route attaches to this service port. */
  public boolean hasRoutes(ServiceInfo service, int port) {
    return byParent.containsKey(parentKey(service, port))
        || byParent.containsKey(parentKey(service, 0));
  }

  /**
   * The rule a request to {@code service:port} goes to. Empty when routes attach to the service but
   * none matches (answer 404), or when none attaches at all (check {@link #hasRoutes}).
   */
  public Optional<RouteDecision> route(ServiceInfo service, int port, HttpRequest req) {
    List<CompiledMatch> specific = byParent.getOrDefault(parentKey(service, port), List.of());
    List<CompiledMatch> any = byParent.getOrDefault(parentKey(service, 0), List.of());
    List<CompiledMatch> candidates = merge(specific, any);
    RequestTarget target = new RequestTarget(req.uri());
    for (CompiledMatch m : candidates) {
      if (m.test(req, target)) {
        return Optional.of(new RouteDecision(m.rule(), m.path().prefix(), target));
      }
    }
    return Optional.empty();
  }

  private static List<CompiledMatch> merge(List<CompiledMatch> a, List<CompiledMatch> b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    List<CompiledMatch> all = new ArrayList<>(a.size() + b.size());
    all.addAll(a);
    all.addAll(b);
    all.sort(CompiledMatch.PRECEDENCE);
    return all;
  }

  private static String parentKey(ServiceInfo s, int port) {
    return s.namespace() + "/" + s.name() + "/" + port;
  }

  /**
   * The outcome of routing.
   *
   * @param matchedPrefix the PathPrefix value that matched, for ReplacePrefixMatch; "" otherwise
   */
  public record RouteDecision(CompiledRule rule, String matchedPrefix, RequestTarget target) {}
}
