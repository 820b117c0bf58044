package dev.ambit.waypoint.proxy;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One concern of request processing; calls {@code next} to continue or answers by itself. */
@FunctionalInterface
interface HttpFilter {

  CompletableFuture<ProxyResponse> filter(Exchange ex, HttpHandler next);

  /** The handler that runs {@code filters} in order in front of {@code terminal}. */
  static HttpHandler chain(List<HttpFilter> filters, HttpHandler terminal) {
    HttpHandler h = terminal;
    for (int i = filters.size() - 1; i >= 0; i--) {
      HttpFilter f = filters.get(i);
      HttpHandler next = h;
      h = ex -> f.filter(ex, next);
    }
    return h;
  }
}
