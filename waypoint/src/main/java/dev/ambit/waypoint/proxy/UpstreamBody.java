package dev.ambit.waypoint.proxy;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The body of an upstream response, streamed to the downstream connection with backpressure: the
 * upstream channel (autoRead off) is read again only once what it delivered has been written
 * downstream, so at most one read's worth of the body is held here however large it is. State is
 * confined to the upstream channel's event loop.
 */
final class UpstreamBody {

  private final Channel upstream;
  private final Consumer<Boolean> finished;
  private final ArrayDeque<HttpContent> queued = new ArrayDeque<>();
  private Channel sink;
  private CompletableFuture<BodyEnd> done;
  private int inFlight;
  private long bytes;
  private boolean ended;
  private boolean over;
  private Throwable failure;

  /**
   * @param upstream the channel the body arrives on
   * @param finished told on the upstream loop, once, whether the body was received and delivered
   *     whole (the upstream connection may then be reused) or not
   */
  UpstreamBody(Channel upstream, Consumer<Boolean> finished) {
    this.upstream = upstream;
    this.finished = finished;
  }

  /** The next piece of the body from the upstream pipeline (on the upstream loop). */
  void onContent(HttpContent c) {
    if (over) {
      c.release();
      return;
    }
    if (c instanceof LastHttpContent) {
      ended = true;
    }
    if (sink == null) {
      queued.add(c);
    } else {
      forward(c);
    }
  }

  /** The upstream stream broke before the body ended (on the upstream loop). */
  void onFailure(Throwable cause) {
    if (ended || over) {
      return;
    }
    failure = cause;
    if (sink != null && queued.isEmpty()) {
      finish(false, EmptyHttpHeaders.INSTANCE);
    }
  }

  /** Streams the body to {@code sink} (the downstream channel); any thread. */
  CompletableFuture<BodyEnd> pipeTo(Channel sink) {
    CompletableFuture<BodyEnd> f = new CompletableFuture<>();
    Loops.run(
        upstream.eventLoop(),
        () -> {
          this.done = f;
          if (over) {
            f.complete(BodyEnd.abandoned(0));
            return;
          }
          this.sink = sink;
          HttpContent c;
          while ((c = queued.poll()) != null) {
            forward(c);
          }
          if (failure != null) {
            finish(false, EmptyHttpHeaders.INSTANCE);
          } else if (!ended) {
            upstream.read();
          }
        });
    return f;
  }

  /** Abandons the body: the upstream stream is closed (never reused); any thread. */
  void abort() {
    upstream
        .eventLoop()
        .execute(
            () -> {
              if (over) {
                return;
              }
              finish(false, EmptyHttpHeaders.INSTANCE);
              upstream.close();
            });
  }

  private void forward(HttpContent c) {
    bytes += c.content().readableBytes();
    HttpHeaders trailers =
        c instanceof LastHttpContent last && !last.trailingHeaders().isEmpty()
            ? new DefaultHttpHeaders().add(last.trailingHeaders())
            : EmptyHttpHeaders.INSTANCE;
    boolean last = c instanceof LastHttpContent;
    inFlight++;
    sink.writeAndFlush(c)
        .addListener(
            w -> upstream.eventLoop().execute(() -> written(w.isSuccess(), last, trailers)));
  }

  private void written(boolean ok, boolean last, HttpHeaders trailers) {
    inFlight--;
    if (over) {
      return;
    }
    if (!ok) {
      finish(false, EmptyHttpHeaders.INSTANCE);
      upstream.close();
      return;
    }
    if (last) {
      finish(true, trailers);
    } else if (inFlight == 0 && !ended) {
      upstream.read();
    }
  }

  private void finish(boolean complete, HttpHeaders trailers) {
    over = true;
    queued.forEach(HttpContent::release);
    queued.clear();
    if (done != null) {
      done.complete(new BodyEnd(bytes, trailers, complete));
    }
    finished.accept(complete);
  }
}
