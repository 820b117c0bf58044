package dev.ambit.waypoint.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

/**
 * Watches an upstream HTTP/2 connection (after its multiplex handler): once the server sent GOAWAY
 * the connection takes no new streams (the server closes it once the streams it accepted are done),
 * and once the server ended its side (a closed socket, or the END_STREAM of the HBONE stream
 * carrying the connection) it is closed. Streams the server never processed (above the GOAWAY's
 * last stream id) can be sent again on another connection.
 */
final class Http2ConnectionState extends ChannelInboundHandlerAdapter {

  private static final AttributeKey<Integer> LAST_STREAM =
      AttributeKey.valueOf(Http2ConnectionState.class, "goAwayLastStreamId");

  /** Whether new streams may be opened on {@code conn}. */
  static boolean usable(Channel conn) {
    return conn.isActive() && !conn.hasAttr(LAST_STREAM);
  }

  /**
   * Whether the server said it did not and will not process stream {@code id} of {@code conn} (-1:
   * a stream that never got an id).
   */
  static boolean unprocessed(Channel conn, int id) {
    Integer last = conn.hasAttr(LAST_STREAM) ? conn.attr(LAST_STREAM).get() : null;
    return last != null && (id <= 0 || id > last);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Http2GoAwayFrame goAway) {
      ctx.channel().attr(LAST_STREAM).set(goAway.lastStreamId());
    }
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == ChannelInputShutdownEvent.INSTANCE) {
      ctx.close();
      return;
    }
    ReferenceCountUtil.release(evt);
  }
}
