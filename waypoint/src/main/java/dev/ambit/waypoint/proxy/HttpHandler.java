package dev.ambit.waypoint.proxy;

import java.util.concurrent.CompletableFuture;

/** Produces the response of an exchange. Never completes exceptionally. */
@FunctionalInterface
interface HttpHandler {
  CompletableFuture<ProxyResponse> handle(Exchange ex);
}
