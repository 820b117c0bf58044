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
   * Completes with {@code f}'s response (its head), or with a 504 once {@code timeout} passed (then
   * {@code f} is cancelled and a late response released). A zero timeout means none.
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
          timer.cancel(false);
          if (err != null) {
            out.completeExceptionally(err);
          } else if (!out.complete(res)) {
            res.discard();
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
