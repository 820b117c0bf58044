package dev.ambit.transport.hbone;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Turns an HTTP/2 stream channel into a byte channel once the CONNECT exchange is done: inbound
 * DATA frames become {@link ByteBuf}s, an inbound END_STREAM becomes a {@link
 * ChannelInputShutdownEvent} (like a TCP FIN with half-closure allowed); outbound {@link ByteBuf}s
 * become DATA frames and {@link #END_STREAM} sends an empty DATA frame with END_STREAM.
 *
 * <p>It starts <em>holding</em>: anything arriving before the owner is ready is queued (bounded by
 * the HTTP/2 stream window, since the channel's autoRead is off) and delivered on the first {@code
 * read()} passing through it, i.e. when the owner calls {@code setAutoRead(true)} or {@code
 * read()}.
 */
final class StreamBytes extends ChannelDuplexHandler {

  /** Outbound message: finish our side of the stream (END_STREAM). */
  static final Object END_STREAM =
      new Object() {
        @Override
        public String toString() {
          return "END_STREAM";
        }
      };

  private ArrayDeque<Object> held = new ArrayDeque<>();

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    switch (msg) {
      case Http2DataFrame data -> {
        ByteBuf content = data.content();
        if (content.isReadable()) {
          deliver(ctx, content);
        } else {
          content.release();
        }
        if (data.isEndStream()) {
          deliver(ctx, ChannelInputShutdownEvent.INSTANCE);
        }
      }
      case Http2HeadersFrame trailers -> {
        if (trailers.isEndStream()) {
          deliver(ctx, ChannelInputShutdownEvent.INSTANCE);
        }
      }
      default -> ReferenceCountUtil.release(msg);
    }
  }

  private void deliver(ChannelHandlerContext ctx, Object item) {
    if (held != null) {
      held.add(item);
    } else if (item instanceof ByteBuf buf) {
      ctx.fireChannelRead(buf);
    } else {
      ctx.fireUserEventTriggered(item);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (held == null) {
      ctx.fireChannelReadComplete();
    }
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    ArrayDeque<Object> queue = held;
    if (queue != null) {
      held = null;
      boolean delivered = false;
      for (Object item = queue.poll(); item != null; item = queue.poll()) {
        delivered |= item instanceof ByteBuf;
        deliver(ctx, item);
      }
      if (delivered) {
        ctx.fireChannelReadComplete();
      }
    }
    ctx.read();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf buf) {
      ctx.write(new DefaultHttp2DataFrame(buf, false), promise);
    } else if (msg == END_STREAM) {
      ctx.write(new DefaultHttp2DataFrame(true), promise);
    } else {
      ctx.write(msg, promise);
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseHeld();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseHeld();
    ctx.fireChannelInactive();
  }

  private void releaseHeld() {
    ArrayDeque<Object> queue = held;
    if (queue != null) {
      for (Object item = queue.poll(); item != null; item = queue.poll()) {
        ReferenceCountUtil.release(item);
      }
    }
  }
}
