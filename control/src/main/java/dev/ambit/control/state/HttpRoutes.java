package dev.ambit.control.state;

import com.google.protobuf.Duration;
import dev.ambit.api.Resource;
import dev.ambit.api.gateway.BackendObjectReference;
import dev.ambit.api.gateway.HeaderMatchType;
import dev.ambit.api.gateway.HttpBackendRef;
import dev.ambit.api.gateway.HttpHeaderFilter;
import dev.ambit.api.gateway.HttpPathModifier;
import dev.ambit.api.gateway.HttpRouteFilter;
import dev.ambit.api.gateway.HttpRouteMatch;
import dev.ambit.api.gateway.HttpRouteRule;
import dev.ambit.api.gateway.HttpRouteSpec;
import dev.ambit.api.gateway.ParentReference;
import dev.ambit.api.gateway.PathModifierType;
import dev.ambit.proto.waypoint.BackendRef;
import dev.ambit.proto.waypoint.Filter;
import dev.ambit.proto.waypoint.Header;
import dev.ambit.proto.waypoint.HeaderModifier;
import dev.ambit.proto.waypoint.HttpRoute;
import dev.ambit.proto.waypoint.Mirror;
import dev.ambit.proto.waypoint.ParentRef;
import dev.ambit.proto.waypoint.PathMatch;
import dev.ambit.proto.waypoint.PathModifier;
import dev.ambit.proto.waypoint.Redirect;
import dev.ambit.proto.waypoint.Retry;
import dev.ambit.proto.waypoint.Rewrite;
import dev.ambit.proto.waypoint.RouteMatch;
import dev.ambit.proto.waypoint.RouteRule;
import dev.ambit.proto.waypoint.Timeouts;
import dev.ambit.proto.waypoint.ValueMatch;
import java.util.Optional;

/** Translates HTTPRoutes with Service parents into the waypoint's {@link HttpRoute}. */
public final class HttpRoutes {

  private HttpRoutes() {}

  /** The route for waypoints, when at least one parentRef is a Service. */
  public static Optional<HttpRoute> translate(Resource<HttpRouteSpec> route) {
    HttpRouteSpec spec = route.spec();
    HttpRoute.Builder out =
        HttpRoute.newBuilder()
            .setName(route.name())
            .setNamespace(route.namespace())
            .addAllHostnames(spec.hostnames());
    if (route.metadata().creationTimestamp() != null) {
      out.setCreatedMillis(route.metadata().creationTimestamp().toEpochMilli());
    }
    for (ParentReference p : spec.parentRefs()) {
      if (p.isService()) {
        out.addParents(
            ParentRef.newBuilder()
                .setNamespace(p.namespace() == null ? route.namespace() : p.namespace())
                .setName(p.name())
                .setPort(p.port() == null ? 0 : p.port()));
      }
    }
    if (out.getParentsCount() == 0) {
      return Optional.empty();
    }
    for (HttpRouteRule r : spec.rules()) {
      out.addRules(rule(r, route.namespace()));
    }
    return Optional.of(out.build());
  }

  private static RouteRule rule(HttpRouteRule r, String namespace) {
    RouteRule.Builder out = RouteRule.newBuilder();
    for (HttpRouteMatch m : r.matches()) {
      RouteMatch.Builder match = RouteMatch.newBuilder();
      if (m.path() != null) {
        match.setPath(
            PathMatch.newBuilder()
                .setType(
                    switch (m.path().effectiveType()) {
                      case Exact -> PathMatch.Type.EXACT;
                      case PathPrefix -> PathMatch.Type.PATH_PREFIX;
                      case RegularExpression -> PathMatch.Type.REGULAR_EXPRESSION;
                    })
                .setValue(m.path().effectiveValue()));
      }
      m.headers().forEach(h -> match.addHeaders(value(h.type(), h.name(), h.value())));
      m.queryParams().forEach(q -> match.addQueryParams(value(q.type(), q.name(), q.value())));
      if (m.method() != null) {
        match.setMethod(m.method().name());
      }
      out.addMatches(match);
    }
    r.filters().forEach(f -> out.addFilters(filter(f, namespace)));
    for (HttpBackendRef b : r.backendRefs()) {
      BackendRef.Builder backend =
          BackendRef.newBuilder()
              .setNamespace(b.namespace() == null ? namespace : b.namespace())
              .setName(b.name())
              .setPort(b.port() == null ? 0 : b.port())
              .setWeight(b.effectiveWeight());
      b.filters().forEach(f -> backend.addFilters(filter(f, namespace)));
      out.addBackends(backend);
    }
    if (r.timeouts() != null) {
      Timeouts.Builder t = Timeouts.newBuilder();
      if (r.timeouts().request() != null) {
        t.setRequest(duration(r.timeouts().request()));
      }
      if (r.timeouts().backendRequest() != null) {
        t.setBackendRequest(duration(r.timeouts().backendRequest()));
      }
      out.setTimeouts(t);
    }
    if (r.retry() != null) {
      Retry.Builder retry = Retry.newBuilder().addAllCodes(r.retry().codes());
      if (r.retry().attempts() != null) {
        retry.setAttempts(r.retry().attempts());
      }
      if (r.retry().backoff() != null) {
        retry.setBackoff(duration(r.retry().backoff()));
      }
      out.setRetry(retry);
    }
    return out.build();
  }

  private static ValueMatch value(HeaderMatchType type, String name, String value) {
    return ValueMatch.newBuilder()
        .setType(
            type == HeaderMatchType.RegularExpression
                ? ValueMatch.Type.REGULAR_EXPRESSION
                : ValueMatch.Type.EXACT)
        .setName(name)
        .setValue(value)
        .build();
  }

  private static Filter filter(HttpRouteFilter f, String namespace) {
    Filter.Builder out = Filter.newBuilder();
    switch (f.type()) {
      case RequestHeaderModifier ->
          out.setRequestHeaderModifier(headers(f.requestHeaderModifier()));
      case ResponseHeaderModifier ->
          out.setResponseHeaderModifier(headers(f.responseHeaderModifier()));
      case RequestRedirect -> {
        var r = f.requestRedirect();
        Redirect.Builder redirect = Redirect.newBuilder();
        if (r.scheme() != null) redirect.setScheme(r.scheme().name());
        if (r.hostname() != null) redirect.setHostname(r.hostname());
        if (r.path() != null) redirect.setPath(path(r.path()));
        if (r.port() != null) redirect.setPort(r.port());
        if (r.statusCode() != null) redirect.setStatusCode(r.statusCode());
        out.setRequestRedirect(redirect);
      }
      case URLRewrite -> {
        var r = f.urlRewrite();
        Rewrite.Builder rewrite = Rewrite.newBuilder();
        if (r.hostname() != null) rewrite.setHostname(r.hostname());
        if (r.path() != null) rewrite.setPath(path(r.path()));
        out.setUrlRewrite(rewrite);
      }
      case RequestMirror -> {
        BackendObjectReference b = f.requestMirror().backendRef();
        out.setRequestMirror(
            Mirror.newBuilder()
                .setBackend(
                    BackendRef.newBuilder()
                        .setNamespace(b.namespace() == null ? namespace : b.namespace())
                        .setName(b.name())
                        .setPort(b.port() == null ? 0 : b.port())
                        .setWeight(1)));
      }
    }
    return out.build();
  }

  private static HeaderModifier headers(HttpHeaderFilter f) {
    HeaderModifier.Builder out = HeaderModifier.newBuilder().addAllRemove(f.remove());
    f.set().forEach(h -> out.addSet(Header.newBuilder().setName(h.name()).setValue(h.value())));
    f.add().forEach(h -> out.addAdd(Header.newBuilder().setName(h.name()).setValue(h.value())));
    return out.build();
  }

  private static PathModifier path(HttpPathModifier p) {
    return p.type() == PathModifierType.ReplaceFullPath
        ? PathModifier.newBuilder()
            .setType(PathModifier.Type.REPLACE_FULL_PATH)
            .setValue(p.replaceFullPath())
            .build()
        : PathModifier.newBuilder()
            .setType(PathModifier.Type.REPLACE_PREFIX_MATCH)
            .setValue(p.replacePrefixMatch())
            .build();
  }

  private static Duration duration(java.time.Duration d) {
    return Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
  }
}
