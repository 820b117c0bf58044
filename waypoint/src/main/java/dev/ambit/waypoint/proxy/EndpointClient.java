package dev.ambit.waypoint.proxy;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import java.util.concurrent.CompletableFuture;

/** Sends whole requests to one endpoint, reusing upstream connections. */
interface EndpointClient extends AutoCloseable {

  /**
   * Sends {@code req} (ownership passes to the client) and completes with the whole response, or
   * fails with an {@link UpstreamException}. Cancelling the returned future abandons the attempt
   * (its connection or stream is closed).
   */
  CompletableFuture<FullHttpResponse> send(FullHttpRequest req, EventLoop loop);

  @Override
  void close();
}
