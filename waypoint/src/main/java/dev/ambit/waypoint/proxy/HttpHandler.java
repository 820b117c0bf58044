package dev.ambit.waypoint.proxy;

import io.netty.handler.codec.http.FullHttpResponse;
import java.util.concurrent.CompletableFuture;

/** Produces the response of an exchange. Never completes exceptionally. */
@FunctionalInterface
interface HttpHandler {
  CompletableFuture<FullHttpResponse> handle(Exchange ex);
}
