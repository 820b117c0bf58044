package dev.ambit.transport.hbone;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splices two byte channels both ways: a TCP channel and an HBONE stream channel (as returned by
 * {@link HbonePool#connect} or handed out by {@link HboneStream#accept()}), or two TCP channels.
 *
 * <ul>
 *   <li>Backpressure: when one side stops being writable, the other stops reading (autoRead off)
 *       until it is writable again; HTTP/2 stream windows make a stream channel unwritable.
 *   <li>Half-close: EOF on one side (TCP FIN, or END_STREAM) shuts down the other's output (TCP
 *       {@code shutdownOutput}, or END_STREAM) after all pending bytes are written; when both
 *       directions have ended, both channels are closed.
 *   <li>Abortive close: a channel that closes before both directions ended, or fails, aborts the
 *       other: a TCP socket is reset (SO_LINGER 0), a stream is reset (RST_STREAM CANCEL).
 * </ul>
 *
 * <p>Bytes a channel receives before it is spliced must not reach the end of its pipeline (they
 * would be dropped): HBONE stream channels from this package hold them by themselves; for a TCP
 * channel add {@link #holdInbound()} in its initializer and turn {@code ALLOW_HALF_CLOSURE} on
 * (e.g. as child options), so an early FIN is kept too. Splice turns autoRead on. For fewer thread
 * hops, register both channels on the same event loop.
 */
public final class Relay {

  private static final Logger log = LoggerFactory.getLogger(Relay.class);

  /**
   * How a relay ended.
   *
   * @param graceful both directions ended with EOF before the channels closed
   * @param cause the first error seen, or null
   */
  public record Result(boolean graceful, Throwable cause) {}

  private Relay() {}

  /**
   * A handler (one per channel) to add first to a TCP channel that will be spliced later: it turns
   * autoRead off and keeps received bytes and EOF until {@link #splice} replays them.
   */
  public static ChannelHandler holdInbound() {
    return new InboundHold();
  }

  /**
   * Starts relaying between {@code a} and {@code b}; {@code counters} gets the bytes of each
   * direction. The future completes once both channels are closed.
   */
  public static CompletableFuture<Result> splice(Channel a, Channel b, RelayCounters counters) {
    State state = new State(a, b);
    Side sideA = new Side(state, a, b, counters, true);
    Side sideB = new Side(state, b, a, counters, false);
    a.closeFuture().addListener(f -> state.closed());
    b.closeFuture().addListener(f -> state.closed());
    install(a, sideA);
    install(b, sideB);
    return state.result;
  }

  private static void install(Channel channel, Side side) {
    channel.eventLoop().execute(() -> installNow(channel, side));
  }

  private static void installNow(Channel channel, Side side) {
    if (channel instanceof DuplexChannel) {
      channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
      EpollInterest.keepRegistered(channel); // if it was not held: see EpollInterest
      BulkTransfer.largeReads(channel); // a bulk sender's bytes in fewer, larger chunks
    }
    channel.pipeline().addLast("relay", side);
    if (channel.pipeline().get(InboundHold.class) != null) {
      channel.pipeline().remove(InboundHold.class); // replays held bytes and EOF into the relay
    }
    if (!channel.isActive()) {
      side.inactive();
      return;
    }
    autoRead(channel, side.other);
  }

  /**
   * Turns reading of {@code channel} on while {@code peer} is writable, off otherwise, except on a
   * TCP channel whose input already ended: there is nothing left to read, and the epoll transport
   * fails re-arming such a socket (the relay would then abort both sides). It runs on {@code
   * channel}'s event loop, where its input state is current: checked from the peer's loop, the
   * input could end between the check and the read the change schedules.
   */
  private static void autoRead(Channel channel, Channel peer) {
    if (!channel.eventLoop().inEventLoop()) {
      channel.eventLoop().execute(() -> autoRead(channel, peer));
      return;
    }
    if (channel instanceof DuplexChannel duplex && duplex.isInputShutdown()) {
      return;
    }
    channel.config().setAutoRead(peer.isWritable());
  }

  /**
   * Half-closes a byte channel once everything written so far is flushed: TCP {@code
   * shutdownOutput}, or END_STREAM on an HBONE stream channel (the peer then sees EOF while this
   * side can still read).
   */
  public static void shutdownOutput(Channel channel) {
    if (channel instanceof DuplexChannel duplex) {
      if (!channel.isActive() || duplex.isOutputShutdown()) {
        return; // a write would only fail (and throw) on the connection-close path
      }
      channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> shutdownFlushed(duplex));
    } else {
      channel.writeAndFlush(StreamBytes.END_STREAM);
    }
  }

  /**
   * Sends FIN on a TCP channel whose writes are all flushed. A native (epoll) socket is shut down
   * directly: Netty's {@code shutdownOutput} constructs an exception with its stack trace for the
   * writes it would fail, even when none is pending (one per relayed connection). The socket
   * records the shutdown, so {@code isOutputShutdown()} still tells.
   */
  private static void shutdownFlushed(DuplexChannel channel) {
    if (!(channel instanceof UnixChannel unix) || !(unix.fd() instanceof Socket socket)) {
      channel.shutdownOutput();
      return;
    }
    if (!channel.isActive() || channel.isOutputShutdown()) {
      return;
    }
    try {
      socket.shutdown(false, true);
    } catch (IOException | RuntimeException e) {
      log.debug("cannot shut down the output of {}", channel, e);
      return;
    }
    // The peer's FIN now ends the connection: the transport closes the socket instead of shutting
    // its input down, which fails (and throws) once the connection is gone (TIME_WAIT).
    channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
  }

  /**
   * Closes {@code channel} abortively: a TCP socket is reset (SO_LINGER 0, so the peer sees RST),
   * an HTTP/2 stream channel gets RST_STREAM (CANCEL). E.g. when an HBONE connect failed.
   */
  public static void abort(Channel channel) {
    if (!channel.isOpen()) {
      return;
    }
    if (channel instanceof DuplexChannel) {
      try {
        channel.config().setOption(ChannelOption.SO_LINGER, 0);
      } catch (RuntimeException e) {
        log.debug("cannot set SO_LINGER 0 on {}", channel, e);
      }
    }
    channel.close();
  }

  private static final class State {
    final Channel a;
    final Channel b;
    final CompletableFuture<Result> result = new CompletableFuture<>();
    final AtomicBoolean aborted = new AtomicBoolean();
    volatile boolean aDone;
    volatile boolean bDone;
    volatile Throwable cause;

    State(Channel a, Channel b) {
      this.a = a;
      this.b = b;
    }

    boolean bothDone() {
      return aDone && bDone;
    }

    void abort(Throwable error) {
      if (error != null && cause == null) {
        cause = error;
      }
      if (aborted.compareAndSet(false, true)) {
        Relay.abort(a);
        Relay.abort(b);
      }
    }

    void closed() {
      if (!a.isOpen() && !b.isOpen()) {
        result.complete(new Result(bothDone() && !aborted.get(), cause));
      }
    }
  }

  private static final class Side extends ChannelInboundHandlerAdapter {
    private final State state;
    private final Channel self;
    private final Channel other;
    private final RelayCounters counters;
    private final boolean isA;

    Side(State state, Channel self, Channel other, RelayCounters counters, boolean isA) {
      this.state = state;
      this.self = self;
      this.other = other;
      this.counters = counters;
      this.isA = isA;
    }

    @Override
    public boolean isSharable() {
      return false;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf buf)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      int n = buf.readableBytes();
      if (isA) {
        counters.aToB(n);
      } else {
        counters.bToA(n);
      }
      other.write(buf, other.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      other.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      Relay.autoRead(other, self);
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt == ChannelInputShutdownEvent.INSTANCE) {
        inputEnded();
        if (!state.bothDone() || !(other instanceof DuplexChannel)) {
          shutdownOutput(other); // a TCP channel whose input ended too is closed below: FIN
        }
        if (state.bothDone()) {
          closeAfterFlush(self);
          closeAfterFlush(other);
        }
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      inactive();
      ctx.fireChannelInactive();
    }

    void inactive() {
      if (!state.bothDone() && endedAfterFin()) {
        inputEnded();
        if (!(other instanceof DuplexChannel)) {
          shutdownOutput(other);
        }
      }
      if (state.bothDone()) {
        closeAfterFlush(other);
      } else {
        state.abort(null);
      }
    }

    private void inputEnded() {
      if (isA) {
        state.aDone = true;
      } else {
        state.bDone = true;
      }
    }

    /**
     * Whether this channel closed because its input ended after the relay had sent its FIN: its
     * half-closure was turned off then ({@link #shutdownFlushed}), so the transport closes it at
     * the peer's FIN without an event for the end of input. A reset or a read error aborts the
     * relay before the channel closes.
     */
    private boolean endedAfterFin() {
      return (isA ? state.bDone : state.aDone)
          && self instanceof DuplexChannel duplex
          && duplex.isOutputShutdown()
          && !self.config().getOption(ChannelOption.ALLOW_HALF_CLOSURE)
          && state.cause == null
          && !state.aborted.get();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("relay {} -> {} failed", self, other, cause);
      state.abort(cause);
    }

    /**
     * Closes a TCP channel once its pending bytes are written. A stream channel closes by itself
     * once END_STREAM went both ways; closing it earlier would reset it and drop queued DATA.
     */
    private static void closeAfterFlush(Channel channel) {
      if (!(channel instanceof DuplexChannel duplex) || !channel.isOpen()) {
        return;
      }
      if (duplex.isOutputShutdown()) {
        channel.close(); // flushed before its output was shut down; a write would fail
      } else {
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
