package dev.ambit.waypoint.proxy;

import dev.ambit.proto.waypoint.BackendRef;
import dev.ambit.proto.waypoint.Filter;
import dev.ambit.proto.waypoint.HeaderModifier;
import dev.ambit.proto.waypoint.Rewrite;
import dev.ambit.waypoint.config.ServiceInfo;
import dev.ambit.waypoint.metrics.ResponseFlag;
import dev.ambit.waypoint.route.CompiledRule;
import dev.ambit.waypoint.route.HeaderModifiers;
import dev.ambit.waypoint.route.PathRewrites;
import dev.ambit.waypoint.route.Redirects;
import dev.ambit.waypoint.route.RouteTable;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;

/**
 * HTTPRoute routing: picks the rule and a weighted backend, applies the rule's and the backend's
 * filters (header modifiers, redirect, rewrite, mirror). Without a route attached to the service,
 * the request goes to the service it was addressed to.
 */
final class RoutingFilter implements HttpFilter {

  /** Sends a fire-and-forget copy of a request to another backend. */
  @FunctionalInterface
  interface Mirror {
    void mirror(Exchange ex, ServiceInfo backend, int port);
  }

  private final RandomGenerator random;
  private final Mirror mirror;

  RoutingFilter(RandomGenerator random, Mirror mirror) {
    this.random = random;
    this.mirror = mirror;
  }

  @Override
  public CompletableFuture<ProxyResponse> filter(Exchange ex, HttpHandler next) {
    ServiceInfo addressed = ex.downstream.service();
    if (addressed == null) {
      return next.handle(ex);
    }
    // The tunnel resolved its service when it opened: each request takes the current version.
    ServiceInfo service =
        ex.snapshot.mesh().service(addressed.namespace(), addressed.name()).orElse(addressed);
    RouteTable routes = ex.snapshot.routes();
    if (!routes.hasRoutes(service, ex.downstream.port())) {
      ex.backend = service;
      ex.backendPort = ex.downstream.port();
      return next.handle(ex);
    }
    Optional<RouteTable.RouteDecision> decision =
        routes.route(service, ex.downstream.port(), ex.request);
    if (decision.isEmpty()) {
      ex.flag = ResponseFlag.NO_ROUTE;
      return done(LocalReplies.reply(404, "route not found"));
    }
    ex.route = decision.get();
    CompiledRule rule = ex.route.rule();
    List<BackendRef> mirrors = new ArrayList<>();
    for (Filter f : rule.filters()) {
      switch (f.getKindCase()) {
        case REQUEST_HEADER_MODIFIER ->
            HeaderModifiers.apply(f.getRequestHeaderModifier(), ex.request.headers());
        case RESPONSE_HEADER_MODIFIER -> ex.responseModifiers.add(f.getResponseHeaderModifier());
        case REQUEST_REDIRECT -> {
          ex.flag = ResponseFlag.DIRECT_RESPONSE;
          String location =
              Redirects.location(
                  f.getRequestRedirect(),
                  "http",
                  ex.request.headers().get(HttpHeaderNames.HOST),
                  ex.route);
          return done(ProxyResponse.local(Redirects.response(f.getRequestRedirect(), location)));
        }
        case URL_REWRITE -> rewrite(ex.request, f.getUrlRewrite(), ex.route);
        case REQUEST_MIRROR -> mirrors.add(f.getRequestMirror().getBackend());
        case KIND_NOT_SET -> {}
      }
    }
    Optional<BackendRef> picked = rule.backends().pick(random);
    if (picked.isEmpty()) {
      ex.flag = ResponseFlag.NO_ROUTE;
      return done(LocalReplies.reply(500, "no backend for route " + rule.routeKey()));
    }
    BackendRef ref = picked.get();
    Optional<ServiceInfo> backend = resolve(ex, rule, ref);
    if (backend.isEmpty()) {
      ex.flag = ResponseFlag.NO_ROUTE;
      return done(LocalReplies.reply(500, "unknown backend " + ref.getName()));
    }
    for (Filter f : ref.getFiltersList()) {
      if (f.hasRequestHeaderModifier()) {
        HeaderModifiers.apply(f.getRequestHeaderModifier(), ex.request.headers());
      } else if (f.hasResponseHeaderModifier()) {
        ex.responseModifiers.add(f.getResponseHeaderModifier());
      } else if (f.hasUrlRewrite()) {
        rewrite(ex.request, f.getUrlRewrite(), ex.route);
      }
    }
    ex.backend = backend.get();
    ex.backendPort = ref.getPort() == 0 ? ex.downstream.port() : ref.getPort();
    for (BackendRef m : mirrors) {
      resolve(ex, rule, m)
          .ifPresent(
              s -> mirror.mirror(ex, s, m.getPort() == 0 ? ex.downstream.port() : m.getPort()));
    }
    if (ex.responseModifiers.isEmpty()) {
      return next.handle(ex);
    }
    return next.handle(ex)
        .thenApply(
            res -> {
              for (HeaderModifier m : ex.responseModifiers) {
                HeaderModifiers.apply(m, res.head().headers());
              }
              return res;
            });
  }

  private static Optional<ServiceInfo> resolve(Exchange ex, CompiledRule rule, BackendRef ref) {
    String ns = ref.getNamespace().isEmpty() ? rule.routeNamespace() : ref.getNamespace();
    return ex.snapshot.mesh().service(ns, ref.getName());
  }

  private static void rewrite(HttpRequest req, Rewrite r, RouteTable.RouteDecision d) {
    if (!r.getHostname().isEmpty()) {
      req.headers().set(HttpHeaderNames.HOST, r.getHostname());
    }
    if (r.hasPath()) {
      req.setUri(
          PathRewrites.apply(r.getPath(), d.target().path(), d.matchedPrefix())
              + d.target().query());
    }
  }

  private static CompletableFuture<ProxyResponse> done(ProxyResponse r) {
    return CompletableFuture.completedFuture(r);
  }
}
