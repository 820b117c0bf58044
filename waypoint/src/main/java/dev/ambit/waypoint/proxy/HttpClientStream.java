package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.metrics.ResponseFlag;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.concurrent.CompletableFuture;

/**
 * The tail of an upstream pipeline: completes the pending response future of the request in flight
 * on this channel (HTTP/1.1 connection or HTTP/2 stream).
 */
final class HttpClientStream extends SimpleChannelInboundHandler<FullHttpResponse> {

  private CompletableFuture<FullHttpResponse> pending;

  HttpClientStream() {
    super(false);
  }

  /** Must be called on the channel's event loop before the request is written. */
  void expect(CompletableFuture<FullHttpResponse> f) {
    pending = f;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
    CompletableFuture<FullHttpResponse> f = pending;
    pending = null;
    if (f == null || !f.complete(res)) {
      res.release();
    }
  }

  /** An idle pooled connection (no request in flight) is closed when the idle timer fires. */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent && pending == null) {
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    fail(
        new UpstreamException(
            ResponseFlag.UPSTREAM_RESET, "upstream closed before the response", null));
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(new UpstreamException(ResponseFlag.UPSTREAM_RESET, "upstream failed: " + cause, cause));
    ctx.close();
  }

  private void fail(Throwable t) {
    CompletableFuture<FullHttpResponse> f = pending;
    pending = null;
    if (f != null) {
      f.completeExceptionally(t);
    }
  }
}
