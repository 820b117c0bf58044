package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.metrics.ResponseFlag;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The tail of an upstream pipeline (autoRead off): completes the pending response future of the
 * request in flight on this channel (HTTP/1.1 connection or HTTP/2 stream) with the response head,
 * then hands the body to an {@link UpstreamBody}. Informational (1xx) answers are skipped.
 */
final class HttpClientStream extends ChannelInboundHandlerAdapter {

  private CompletableFuture<ProxyResponse> pending;
  private Consumer<Boolean> finished;
  private UpstreamBody body;
  private boolean skippingInformational;
  private boolean refused;

  /**
   * Must be called on the channel's event loop before the request is written; reading starts.
   *
   * @param finished told whether the response body went through whole (see {@link UpstreamBody})
   */
  void expect(
      ChannelHandlerContext ctx, CompletableFuture<ProxyResponse> f, Consumer<Boolean> finished) {
    pending = f;
    this.finished = finished;
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpResponse head && pending != null) {
      int code = head.status().code();
      if (code >= 100 && code < 200 && code != 101) {
        skippingInformational = !(msg instanceof LastHttpContent);
        ReferenceCountUtil.release(msg);
        ctx.read();
        return;
      }
      CompletableFuture<ProxyResponse> f = pending;
      pending = null;
      Consumer<Boolean> done = finished;
      if (msg instanceof FullHttpResponse whole) {
        // HEADERS with END_STREAM (a trailers-only gRPC answer, say): kept as one message.
        done.accept(true);
        if (!f.complete(ProxyResponse.whole(whole))) {
          whole.release();
        }
        return;
      }
      UpstreamBody b =
          new UpstreamBody(
              ctx.channel(),
              ok -> {
                body = null;
                done.accept(ok);
              });
      body = b;
      if (!f.complete(ProxyResponse.streamed(head, b))) {
        b.abort(); // abandoned (timed out or cancelled) before the answer came
      }
      return;
    }
    if (msg instanceof HttpContent c && skippingInformational) {
      skippingInformational = !(msg instanceof LastHttpContent);
      c.release();
      ctx.read();
      return;
    }
    if (msg instanceof HttpContent c && body != null) {
      body.onContent(c);
      return;
    }
    // Nothing was asked for: a broken or hostile upstream.
    ReferenceCountUtil.release(msg);
    ctx.close();
  }

  /** Whether the HTTP/2 server reset the stream with REFUSED_STREAM (it did not process it). */
  boolean refused() {
    return refused;
  }

  /**
   * An idle pooled connection (nothing in flight) is closed when the idle timer fires or the server
   * ended its side.
   */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if ((evt instanceof IdleStateEvent || evt == ChannelInputShutdownEvent.INSTANCE)
        && pending == null
        && body == null) {
      ctx.close();
      return;
    }
    if (evt instanceof Http2ResetFrame rst
        && rst.errorCode() == Http2Error.REFUSED_STREAM.code()
        && pending != null) {
      refused = true;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (pending != null || body != null) {
      fail(
          new UpstreamException(
              ResponseFlag.UPSTREAM_RESET, "upstream closed before the response", null));
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(new UpstreamException(ResponseFlag.UPSTREAM_RESET, "upstream failed: " + cause, cause));
    ctx.close();
  }

  private void fail(Throwable t) {
    CompletableFuture<ProxyResponse> f = pending;
    pending = null;
    if (f != null) {
      f.completeExceptionally(t);
    }
    if (body != null) {
      body.onFailure(t);
    }
  }
}
