package dev.ambit.waypoint.route;

import io.netty.handler.codec.http.HttpRequest;
import java.util.Comparator;
import java.util.List;

/** One match of one rule: the unit Gateway API precedence orders. */
record CompiledMatch(
    PathMatcher path,
    String method,
    List<ValueMatcher> headers,
    List<ValueMatcher> queryParams,
    long routeCreated,
    String routeKey,
    int ruleIndex,
    int matchIndex,
    CompiledRule rule) {

  /**
   * Gateway API order: Exact path over prefix, longer path first, then a method match, most header
   * matches, most query-parameter matches, the oldest route, the route's name, and finally the
   * order of rules and matches inside the route.
   */
  static final Comparator<CompiledMatch> PRECEDENCE =
      Comparator.comparingInt((CompiledMatch m) -> m.path.rank())
          .thenComparing(m -> -m.path.length())
          .thenComparing(m -> m.method.isEmpty() ? 1 : 0)
          .thenComparing(m -> -m.headers.size())
          .thenComparing(m -> -m.queryParams.size())
          .thenComparingLong(m -> m.routeCreated)
          .thenComparing(m -> m.routeKey)
          .thenComparingInt(m -> m.ruleIndex)
          .thenComparingInt(m -> m.matchIndex);

  boolean test(HttpRequest req, RequestTarget target) {
    if (!method.isEmpty() && !method.equals(req.method().name())) {
      return false;
    }
    if (!path.matches(target.path())) {
      return false;
    }
    for (ValueMatcher h : headers) {
      if (!h.test(req.headers().get(h.name()))) {
        return false;
      }
    }
    for (ValueMatcher q : queryParams) {
      if (!q.test(target.queryParam(q.name()))) {
        return false;
      }
    }
    return true;
  }
}
