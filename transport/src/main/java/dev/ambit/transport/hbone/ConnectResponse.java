package dev.ambit.transport.hbone;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Client side of one CONNECT stream: sends the request when the stream becomes active, waits for
 * the response; on 200 turns the stream into a byte channel (autoRead off, see {@link StreamBytes})
 * and completes the future with it; otherwise fails it with {@link HboneException}. A peer that
 * does not answer within the timeout (a cut link, a hung proxy) fails the stream and calls {@code
 * onTimeout}, so that the caller gets a clean error instead of waiting for as long as TCP retries.
 */
final class ConnectResponse extends ChannelInboundHandlerAdapter {

  private final Http2Headers request;
  private final String authority;
  private final CompletableFuture<Channel> result;
  private final Duration timeout;
  private final Runnable onTimeout;

  ConnectResponse(
      Http2Headers request,
      String authority,
      CompletableFuture<Channel> result,
      Duration timeout,
      Runnable onTimeout) {
    this.request = request;
    this.authority = authority;
    this.result = result;
    this.timeout = timeout;
    this.onTimeout = onTimeout;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(request, false))
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                fail(
                    ctx.channel(),
                    new HboneException(0, "cannot send CONNECT " + authority, f.cause()));
              }
            });
    ctx.executor().schedule(() -> expire(ctx.channel()), timeout.toNanos(), TimeUnit.NANOSECONDS);
    ctx.fireChannelActive();
  }

  private void expire(Channel stream) {
    if (result.isDone()) {
      return;
    }
    fail(
        stream,
        new HboneException(
            0, "CONNECT " + authority + ": no response within " + timeout.toMillis() + " ms"));
    onTimeout.run();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof Http2HeadersFrame frame)) {
      ReferenceCountUtil.release(msg);
      fail(
          ctx.channel(),
          new HboneException(0, "CONNECT " + authority + ": data before the response"));
      return;
    }
    CharSequence status = frame.headers().status();
    if (status != null && "200".contentEquals(status) && !frame.isEndStream()) {
      ctx.channel().config().setAutoRead(false);
      ctx.pipeline().replace(this, "hbone-bytes", new StreamBytes());
      if (!result.complete(ctx.channel())) {
        Relay.abort(ctx.channel());
      }
      return;
    }
    int code = parseStatus(status);
    fail(
        ctx.channel(),
        new HboneException(
            code, "CONNECT " + authority + " answered " + (code == 0 ? "without a status" : code)));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    result.completeExceptionally(
        new HboneException(0, "CONNECT " + authority + ": stream closed before a response"));
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(ctx.channel(), new HboneException(0, "CONNECT " + authority + " failed", cause));
  }

  private void fail(Channel stream, HboneException e) {
    result.completeExceptionally(e);
    Relay.abort(stream);
  }

  private static int parseStatus(CharSequence status) {
    if (status == null || status.length() != 3) {
      return 0;
    }
    try {
      return Integer.parseInt(status.toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
