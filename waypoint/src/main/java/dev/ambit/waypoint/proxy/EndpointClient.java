package dev.ambit.waypoint.proxy;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;
import java.util.concurrent.CompletableFuture;

/** Sends requests to one endpoint, reusing upstream connections. */
interface EndpointClient extends AutoCloseable {

  /**
   * Sends {@code head} (ownership passes to the client) followed by {@code body}, and completes
   * with the response once its head arrived (the body streams on), or fails with an {@link
   * UpstreamException}. Cancelling the returned future abandons the attempt (its connection or
   * stream is closed).
   */
  CompletableFuture<ProxyResponse> send(HttpRequest head, RequestBody body, EventLoop loop);

  @Override
  void close();
}
