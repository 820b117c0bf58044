package dev.ambit.transport.hbone;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A server-side HBONE CONNECT stream waiting for its answer. Answer exactly once; later answers
 * throw {@link IllegalStateException}.
 */
public final class HboneStream {

  private final HboneRequest request;
  private final Channel channel;
  private final AtomicBoolean answered = new AtomicBoolean();

  HboneStream(HboneRequest request, Channel channel) {
    this.request = request;
    this.channel = channel;
  }

  /** What the client asked for. */
  public HboneRequest request() {
    return request;
  }

  /**
   * The HTTP/2 stream channel. Before an answer, its autoRead is off. After {@link #accept()} it
   * carries plain bytes: inbound {@code ByteBuf}s, a {@code ChannelInputShutdownEvent} user event
   * on END_STREAM; outbound {@code ByteBuf}s. {@link Relay#shutdownOutput} sends END_STREAM;
   * closing it before both sides ended resets the stream.
   */
  public Channel channel() {
    return channel;
  }

  /**
   * Answers 200 and relays bytes between the stream and {@code upstream} (an already connected
   * channel with autoRead off) until both close; see {@link Relay}. Counters: A = the HBONE stream
   * (client to server bytes are {@code aToB}), B = upstream.
   */
  public CompletableFuture<Relay.Result> accept(Channel upstream, RelayCounters counters) {
    answer();
    channel.writeAndFlush(
        new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), false));
    return Relay.splice(channel, upstream, counters);
  }

  /**
   * Answers 200 and leaves the byte stream to the caller: add handlers to {@link #channel()}, then
   * {@code setAutoRead(true)} (or {@code read()}) to start receiving, including bytes held so far.
   */
  public ChannelFuture accept() {
    answer();
    return channel.writeAndFlush(
        new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), false));
  }

  /** Answers {@code status} (e.g. 400, 401, 503) and ends the stream. */
  public void reject(int status) {
    if (status < 300 || status > 599) {
      throw new IllegalArgumentException("not a rejection status: " + status);
    }
    answer();
    respond(channel, status);
  }

  static void respond(Channel channel, int status) {
    Http2Headers headers = new DefaultHttp2Headers().status(Integer.toString(status));
    channel
        .writeAndFlush(new DefaultHttp2HeadersFrame(headers, true))
        .addListener(ChannelFutureListener.CLOSE);
  }

  private void answer() {
    if (!answered.compareAndSet(false, true)) {
      throw new IllegalStateException(
          "HBONE stream to " + request.target() + " was already answered");
    }
  }
}
