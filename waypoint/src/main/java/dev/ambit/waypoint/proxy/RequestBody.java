package dev.ambit.waypoint.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The body of a downstream request, streamed to the current upstream attempt with backpressure: the
 * downstream channel (autoRead off) is read again only once what it delivered has been written
 * upstream. The first {@code maxReplay} bytes are kept so that a retry (or a mirror) can send the
 * body again from its start; a body that grows beyond that can no longer be replayed, and only what
 * the current attempt has not taken yet is held. Before any attempt takes it, the body is read
 * ahead up to {@code maxReplay} bytes. State is confined to the downstream channel's event loop.
 */
final class RequestBody {

  private final Channel source;
  private final EventLoop loop;
  private final int maxReplay;
  private final List<HttpContent> replay = new ArrayList<>();
  private final ArrayDeque<HttpContent> pending = new ArrayDeque<>();
  private final List<CompletableFuture<ByteBuf>> wholeWaiters = new ArrayList<>();
  private volatile long bytes;
  private volatile boolean ended;
  private volatile boolean replayable = true;
  private volatile boolean delivered;
  private volatile boolean empty;
  private boolean released;
  private boolean malformed;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private Channel sink;
  private CompletableFuture<Void> sent;
  private int generation;
  private int inFlight;

  /**
   * @param source the downstream channel the body arrives on (read when more is wanted)
   */
  RequestBody(Channel source, int maxReplay) {
    this.source = source;
    this.loop = source.eventLoop();
    this.maxReplay = maxReplay;
  }

  private RequestBody(EventLoop loop, ByteBuf whole) {
    this.source = null;
    this.loop = loop;
    this.maxReplay = Integer.MAX_VALUE;
    onContent(new DefaultLastHttpContent(whole));
  }

  /** A body known whole in advance (a mirrored copy). */
  static RequestBody of(EventLoop loop, ByteBuf whole) {
    return new RequestBody(loop, whole);
  }

  /** Body bytes received from downstream so far. */
  long bytes() {
    return bytes;
  }

  /** Whether the whole body has been received from downstream. */
  boolean ended() {
    return ended;
  }

  /**
   * Completes (on the downstream loop) once the body has been received whole, or as much of it as
   * is kept for a replay, or it turned out malformed. HTTP/1.1 requests wait for it before they are
   * forwarded, so a small request is checked whole before anything of it leaves.
   */
  CompletableFuture<Void> ready() {
    return ready;
  }

  /**
   * Whether the request is known to have no body at all (ended without bytes or trailers): an
   * HTTP/2 attempt then ends the stream with the request's HEADERS instead of sending an empty DATA
   * frame later, which a server may answer and reset before that frame arrives.
   */
  boolean empty() {
    return empty;
  }

  /** Whether the body's framing was broken (the request must be refused or cut off). */
  boolean malformed() {
    return malformed;
  }

  /** Whether a new attempt can still be sent the body from its start. */
  boolean canReplay() {
    return replayable || !delivered;
  }

  /** The next piece of the body from downstream (on the downstream loop). */
  void onContent(HttpContent c) {
    if (released || ended) {
      c.release();
      return;
    }
    if (c.decoderResult().isFailure()) {
      // A framing error (bad chunk): nothing more of this body is sent; the attempt is cut off.
      c.release();
      malformed = true;
      ready.complete(null);
      release();
      return;
    }
    bytes += c.content().readableBytes();
    if (c instanceof LastHttpContent last) {
      ended = true;
      empty = bytes == 0 && last.trailingHeaders().isEmpty();
    }
    if (replayable) {
      if (bytes > maxReplay) {
        replayable = false;
        replay.forEach(HttpContent::release);
        replay.clear();
        wholeWaiters.forEach(w -> w.complete(null));
        wholeWaiters.clear();
      } else {
        replay.add(c.retainedDuplicate());
      }
    }
    pending.add(c);
    if (ended || bytes >= maxReplay) {
      ready.complete(null);
    }
    if (ended && replayable) {
      wholeWaiters.forEach(w -> w.complete(wholeCopy()));
      wholeWaiters.clear();
    }
    drain();
    maybeRead();
  }

  /** Starts reading (ahead) once the request head has been taken. */
  void start() {
    loop.execute(this::maybeRead);
  }

  /**
   * Sends the body from its start to {@code sink}, after whatever was already written there (the
   * request head, which is flushed with the body's first piece). Completes when the last piece was
   * written; fails when the body cannot be replayed any more or a write fails. A new call abandons
   * the previous attempt. Any thread.
   */
  CompletableFuture<Void> sendTo(Channel sink) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    Loops.run(
        loop,
        () -> {
          if (released) {
            f.completeExceptionally(new IllegalStateException("request already finished"));
            return;
          }
          if (delivered) {
            if (!replayable) {
              f.completeExceptionally(new IllegalStateException("request body already streamed"));
              return;
            }
            pending.forEach(HttpContent::release);
            pending.clear();
            replay.forEach(c -> pending.add(c.retainedDuplicate()));
          }
          generation++;
          inFlight = 0;
          this.sink = sink;
          this.sent = f;
          if (!drain()) {
            sink.flush(); // the head, even when no piece of the body is here yet
          }
          maybeRead();
        });
    return f;
  }

  /**
   * The whole body (a copy the caller owns) once it has been received, or null when it is larger
   * than can be replayed. Any thread.
   */
  CompletableFuture<ByteBuf> whole() {
    CompletableFuture<ByteBuf> f = new CompletableFuture<>();
    loop.execute(
        () -> {
          if (released || !replayable) {
            f.complete(null);
          } else if (ended) {
            f.complete(wholeCopy());
          } else {
            wholeWaiters.add(f);
          }
        });
    return f;
  }

  /** Frees what is held; later pieces are dropped. On the downstream loop. */
  void release() {
    released = true;
    replay.forEach(HttpContent::release);
    replay.clear();
    pending.forEach(HttpContent::release);
    pending.clear();
    wholeWaiters.forEach(w -> w.complete(null));
    wholeWaiters.clear();
    if (sent != null && !sent.isDone()) {
      sent.completeExceptionally(new IllegalStateException("request finished before its body"));
    }
  }

  private ByteBuf wholeCopy() {
    CompositeByteBuf all = Unpooled.compositeBuffer(Math.max(2, replay.size()));
    for (HttpContent c : replay) {
      all.addComponent(true, c.content().retainedDuplicate());
    }
    return all;
  }

  /** Writes what is pending to the sink, flushed at once; false when nothing was written. */
  private boolean drain() {
    if (sink == null || pending.isEmpty()) {
      return false;
    }
    Channel to = sink;
    HttpContent c;
    while ((c = pending.poll()) != null) {
      delivered = true;
      boolean last = c instanceof LastHttpContent;
      int g = generation;
      CompletableFuture<Void> f = sent;
      inFlight++;
      to.write(c).addListener(w -> loop.execute(() -> written(g, w, last, f)));
    }
    to.flush();
    return true;
  }

  private void written(int g, Future<?> w, boolean last, CompletableFuture<Void> f) {
    if (g != generation) {
      return;
    }
    inFlight--;
    if (!w.isSuccess()) {
      f.completeExceptionally(new SinkFailedException(w.cause()));
      return;
    }
    if (last) {
      f.complete(null);
      return;
    }
    maybeRead();
  }

  private void maybeRead() {
    if (source == null || ended || released) {
      return;
    }
    if (sink == null ? bytes < maxReplay : pending.isEmpty() && inFlight == 0) {
      source.read();
    }
  }

  /** A piece of the body could not be written to the attempt's channel or stream. */
  static final class SinkFailedException extends RuntimeException {
    SinkFailedException(Throwable cause) {
      super("request body write failed: " + cause, cause);
    }
  }
}
