package dev.ambit.transport.hbone;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Liveness of a pooled HBONE connection. Placed right after TLS, so that any byte from the peer
 * counts: a connection silent for {@code interval} sends an HTTP/2 PING, and one still silent
 * another {@code interval} later (no answer to the PING: a cut link, a frozen peer) is closed,
 * which fails its streams instead of leaving them waiting for as long as TCP retries.
 */
final class Keepalive extends IdleStateHandler {

  private static final Logger log = LoggerFactory.getLogger(Keepalive.class);

  private final Object peer;
  private final Duration interval;

  Keepalive(Object peer, Duration interval) {
    super(interval.toNanos(), 0, 0, TimeUnit.NANOSECONDS);
    this.peer = peer;
    this.interval = interval;
  }

  @Override
  protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
    if (evt.isFirst()) {
      // From the tail, so that the frame goes through the HTTP/2 codec.
      ctx.channel().writeAndFlush(new DefaultHttp2PingFrame(System.nanoTime()));
      return;
    }
    log.warn(
        "HBONE connection to {} did not answer a PING within {} ms; closing it",
        peer,
        interval.toMillis());
    ctx.close();
  }
}
