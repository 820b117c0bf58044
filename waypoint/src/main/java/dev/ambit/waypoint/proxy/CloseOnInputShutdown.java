package dev.ambit.waypoint.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * Closes a downstream HTTP/2 connection once its client ended its side (END_STREAM of the HBONE
 * stream, or a FIN with half-closure on): an HTTP/2 client only does so when it is done, and the
 * tunnel must not stay open on the waypoint's side after the client left.
 */
final class CloseOnInputShutdown extends ChannelInboundHandlerAdapter {

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == ChannelInputShutdownEvent.INSTANCE) {
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }
}
