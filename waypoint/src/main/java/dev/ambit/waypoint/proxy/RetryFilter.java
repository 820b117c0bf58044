package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.metrics.ResponseFlag;
import dev.ambit.waypoint.route.RetryPolicy;
import io.netty.handler.codec.http.FullHttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The route's request timeout around all attempts, its backendRequest timeout around each attempt,
 * and retries of retriable answers with exponential backoff. Only small requests are retried on
 * answers (the body is buffered whole either way; large ones get a single attempt). A failure to
 * connect is retried once on another endpoint even without a retry policy: the request never
 * reached an application, so this is safe for any method.
 */
final class RetryFilter implements HttpFilter {

  static final int CONNECT_FAILURE_ATTEMPTS = 2;

  private final int maxRetriableBytes;

  RetryFilter(int maxRetriableBytes) {
    this.maxRetriableBytes = maxRetriableBytes;
  }

  @Override
  public CompletableFuture<FullHttpResponse> filter(Exchange ex, HttpHandler next) {
    RetryPolicy policy = ex.route == null ? RetryPolicy.NONE : ex.route.rule().retry();
    int attempts = ex.requestBytes <= maxRetriableBytes ? policy.attempts() : 1;
    CompletableFuture<FullHttpResponse> out = new CompletableFuture<>();
    attempt(ex, next, 1, attempts, policy, out);
    if (ex.route == null) {
      return out;
    }
    return Futures.withTimeout(out, ex.route.rule().requestTimeout(), ex.loop, ex);
  }

  private void attempt(
      Exchange ex,
      HttpHandler next,
      int n,
      int max,
      RetryPolicy policy,
      CompletableFuture<FullHttpResponse> out) {
    if (out.isDone()) {
      return;
    }
    ex.flag = ResponseFlag.NONE;
    Duration perTry = ex.route == null ? Duration.ZERO : ex.route.rule().backendTimeout();
    CompletableFuture<FullHttpResponse> f =
        Futures.withTimeout(next.handle(ex), perTry, ex.loop, ex);
    Futures.cancelWith(out, f);
    f.whenComplete(
        (res, err) -> {
          if (err != null) {
            if (!out.isDone()) {
              out.complete(LocalReplies.of(503, "upstream failure"));
            }
            return;
          }
          if (out.isDone()) {
            res.release();
            return;
          }
          boolean connectFailure = ex.flag == ResponseFlag.UPSTREAM_CONNECT_FAILURE;
          boolean retriable = policy.retriable(res.status().code());
          if ((retriable && n < max)
              || (connectFailure && n < Math.max(max, CONNECT_FAILURE_ATTEMPTS))) {
            res.release();
            ex.loop.schedule(
                () -> attempt(ex, next, n + 1, max, policy, out),
                policy.backoffBefore(n + 1).toNanos(),
                TimeUnit.NANOSECONDS);
            return;
          }
          if (retriable && max > 1 && ex.flag == ResponseFlag.NONE) {
            ex.flag = ResponseFlag.RETRY_LIMIT_EXCEEDED;
          }
          if (!out.complete(res)) {
            res.release();
          }
        });
  }
}
