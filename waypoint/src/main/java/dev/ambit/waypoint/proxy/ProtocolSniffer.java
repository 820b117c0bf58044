package dev.ambit.waypoint.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * Decides what a stream speaks from its first bytes: the HTTP/2 connection preface means HTTP/2
 * with prior knowledge, an HTTP/1.x request line means HTTP/1.1, anything else (or silence for the
 * sniff timeout, as with server-first protocols) means TCP. Then it installs the pipeline for that
 * protocol and steps aside, handing over the bytes it held.
 */
final class ProtocolSniffer extends ByteToMessageDecoder {

  static final byte[] H2_PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final Pattern REQUEST_LINE = Pattern.compile("[A-Z]{1,20} \\S+ HTTP/1\\.[01]");
  private static final Pattern LONG_REQUEST_LINE = Pattern.compile("[A-Z]{1,20} [/*]\\S{32}");
  private static final int MAX_REQUEST_LINE = 8192;

  private final Duration timeout;
  private final BiConsumer<ChannelHandlerContext, Protocol> install;
  private ScheduledFuture<?> timer;
  private boolean decided;

  /**
   * @param install adds the protocol's handlers after this one (called once, on the event loop)
   */
  ProtocolSniffer(Duration timeout, BiConsumer<ChannelHandlerContext, Protocol> install) {
    this.timeout = timeout;
    this.install = install;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    timer =
        ctx.executor()
            .schedule(() -> decide(ctx, Protocol.TCP), timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (decided) {
      return;
    }
    Protocol p = sniff(in);
    if (p != null) {
      decide(ctx, p);
    }
  }

  /** The protocol, or null when more bytes are needed. */
  static Protocol sniff(ByteBuf in) {
    int n = in.readableBytes();
    int start = in.readerIndex();
    boolean prefaceSoFar = true;
    for (int i = 0; i < Math.min(n, H2_PREFACE.length); i++) {
      if (in.getByte(start + i) != H2_PREFACE[i]) {
        prefaceSoFar = false;
        break;
      }
    }
    if (prefaceSoFar) {
      return n >= H2_PREFACE.length ? Protocol.HTTP2 : null;
    }
    for (int i = 0; i < Math.min(n, MAX_REQUEST_LINE); i++) {
      byte b = in.getByte(start + i);
      if (i == 0 && (b < 'A' || b > 'Z')) {
        return Protocol.TCP;
      }
      if (b == '\n') {
        int end = i > 0 && in.getByte(start + i - 1) == '\r' ? i - 1 : i;
        String line = in.toString(start, end, StandardCharsets.ISO_8859_1);
        return REQUEST_LINE.matcher(line).matches() ? Protocol.HTTP1 : Protocol.TCP;
      }
    }
    if (n < MAX_REQUEST_LINE) {
      return null;
    }
    // A request line too long to sniff is still HTTP: the HTTP/1.1 decoder refuses it (414).
    String head = in.toString(start, 64, StandardCharsets.ISO_8859_1);
    return LONG_REQUEST_LINE.matcher(head).lookingAt() ? Protocol.HTTP1 : Protocol.TCP;
  }

  private void decide(ChannelHandlerContext ctx, Protocol p) {
    if (decided || ctx.isRemoved()) {
      return;
    }
    decided = true;
    timer.cancel(false);
    install.accept(ctx, p);
    if (p != Protocol.TCP) {
      ctx.pipeline().remove(this);
    }
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    if (timer != null) {
      timer.cancel(false);
    }
  }
}
