package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.metrics.ResponseFlag;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Timeouts and cancellation for response futures that own reference-counted responses. */
final class Futures {

  private Futures() {}

  /**
   * Completes with {@code f}'s response, or with a 504 when {@code timeout} passed before its head
   * arrived (then {@code f} is cancelled and a late response released). The deadline also bounds
   * the response body: a body still streaming when it passes is cut off (the downstream response
   * ends incomplete: a closed HTTP/1.1 connection or a reset HTTP/2 stream). Either way the
   * request's flag becomes {@code UT}. A zero timeout means none.
   */
  static CompletableFuture<ProxyResponse> withTimeout(
      CompletableFuture<ProxyResponse> f, Duration timeout, EventLoop loop, Exchange ex) {
    if (timeout.isZero() || timeout.isNegative()) {
      return f;
    }
    CompletableFuture<ProxyResponse> out = new CompletableFuture<>();
    ScheduledFuture<?> timer =
        loop.schedule(
            () -> {
              if (out.isDone()) {
                ProxyResponse streaming = out.isCompletedExceptionally() ? null : out.join();
                if (streaming != null && !streaming.end().isDone()) {
                  ex.flag = ResponseFlag.UPSTREAM_TIMEOUT;
                  streaming.cutOff();
                }
                return;
              }
              // The flag must be set before completing: completion runs the telemetry callbacks.
              ex.flag = ResponseFlag.UPSTREAM_TIMEOUT;
              ProxyResponse r = LocalReplies.reply(504, "upstream request timeout");
              if (out.complete(r)) {
                f.cancel(false);
              } else {
                r.discard();
              }
            },
            timeout.toNanos(),
            TimeUnit.NANOSECONDS);
    cancelWith(out, f);
    f.whenComplete(
        (res, err) -> {
          if (err != null) {
            timer.cancel(false);
            out.completeExceptionally(err);
          } else if (!out.complete(res)) {
            timer.cancel(false);
            res.discard();
          } else {
            res.end().whenComplete((end, e) -> timer.cancel(false));
          }
        });
    return out;
  }

  /** Cancelling {@code outer} cancels {@code inner}. */
  static void cancelWith(CompletableFuture<?> outer, CompletableFuture<?> inner) {
    outer.whenComplete(
        (r, e) -> {
          if (outer.isCancelled()) {
            inner.cancel(false);
          }
        });
  }

  /** The cause inside a {@link java.util.concurrent.CompletionException}, or {@code t} itself. */
  static Throwable unwrap(Throwable t) {
    return t instanceof java.util.concurrent.CompletionException && t.getCause() != null
        ? t.getCause()
        : t;
  }
}
