package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.metrics.ResponseFlag;
import dev.ambit.waypoint.route.RetryPolicy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The route's request timeout around all attempts, its backendRequest timeout around each attempt
 * (both until the response head arrives), and retries of retriable answers with exponential
 * backoff. A retry sends the request body again from its start, so only bodies that are still
 * replayable (up to the proxy's retry buffer, 64 KiB by default) are retried; larger ones get the
 * answer of their single attempt. A failure to connect is retried once on another endpoint even
 * without a retry policy: the request never reached an application, so this is safe for any method.
 */
final class RetryFilter implements HttpFilter {

  static final int CONNECT_FAILURE_ATTEMPTS = 2;

  @Override
  public CompletableFuture<ProxyResponse> filter(Exchange ex, HttpHandler next) {
    RetryPolicy policy = ex.route == null ? RetryPolicy.NONE : ex.route.rule().retry();
    CompletableFuture<ProxyResponse> out = new CompletableFuture<>();
    attempt(ex, next, 1, policy.attempts(), policy, out);
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
      CompletableFuture<ProxyResponse> out) {
    if (out.isDone()) {
      return;
    }
    ex.flag = ResponseFlag.NONE;
    Duration perTry = ex.route == null ? Duration.ZERO : ex.route.rule().backendTimeout();
    CompletableFuture<ProxyResponse> f = Futures.withTimeout(next.handle(ex), perTry, ex.loop, ex);
    Futures.cancelWith(out, f);
    f.whenComplete(
        (res, err) -> {
          if (err != null) {
            if (!out.isDone()) {
              out.complete(LocalReplies.reply(503, "upstream failure"));
            }
            return;
          }
          if (out.isDone()) {
            res.discard();
            return;
          }
          boolean connectFailure = ex.flag == ResponseFlag.UPSTREAM_CONNECT_FAILURE;
          boolean retriable = policy.retriable(retryStatus(ex, res));
          boolean replayable = ex.body.canReplay();
          if (replayable
              && ((retriable && n < max)
                  || (connectFailure && n < Math.max(max, CONNECT_FAILURE_ATTEMPTS)))) {
            res.discard();
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
            res.discard();
          }
        });
  }

  /** The status a retry policy judges: HTTP's, or 503 for a trailers-only gRPC UNAVAILABLE. */
  static int retryStatus(Exchange ex, ProxyResponse res) {
    if (ex.isGrpc()
        && res.status() == 200
        && "14".equals(res.head().headers().get("grpc-status"))) {
      return 503;
    }
    return res.status();
  }
}
