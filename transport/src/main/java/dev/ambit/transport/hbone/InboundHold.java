package dev.ambit.transport.hbone;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.NotYetConnectedException;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the bytes and the EOF a TCP channel receives before it is spliced, and replays them to the
 * next handler when removed. Needed because autoRead off does not stop the epoll transport from
 * reading when the peer half-closes early. Turns autoRead off when added. A read error meanwhile
 * (e.g. the client reset a short connection: {@code IOException}, then {@code
 * NotYetConnectedException} from the socket that is no longer connected) aborts the channel instead
 * of reaching the end of the pipeline unhandled; the later splice then sees an inactive channel.
 */
final class InboundHold extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(InboundHold.class);

  private final ArrayDeque<Object> held = new ArrayDeque<>();

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    ctx.channel().config().setAutoRead(false);
    EpollInterest.keepRegistered(ctx.channel()); // an accepted socket: connected already
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    EpollInterest.keepRegistered(ctx.channel()); // an outbound socket, just connected
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf) {
      held.add(msg);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {}

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == ChannelInputShutdownEvent.INSTANCE) {
      held.add(evt);
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!ctx.channel().isActive() && cause instanceof NotYetConnectedException) {
      // An outbound socket read before its connect ran: the connect reports its own outcome.
      log.debug("{} read before it connected", ctx.channel());
      return;
    }
    log.debug("{} failed before it was spliced: {}", ctx.channel(), cause.toString());
    Relay.abort(ctx.channel());
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    boolean read = false;
    for (Object item = held.poll(); item != null; item = held.poll()) {
      if (item instanceof ByteBuf buf) {
        read = true;
        ctx.fireChannelRead(buf);
      } else {
        ctx.fireUserEventTriggered(item);
      }
    }
    if (read) {
      ctx.fireChannelReadComplete();
    }
  }
}
