package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.lb.OutlierPolicy;
import java.time.Duration;

/**
 * Limits and tuning of the proxy.
 *
 * @param maxRetriableBytes request bodies are streamed; their first bytes up to this many are kept
 *     so that a retry or a mirror can send them again, and bigger ones are never retried
 * @param maxPendingPerBackend requests in flight per backend service port before answering 503
 * @param sniffTimeout a stream silent this long is proxied as TCP (server-first protocols)
 * @param upstreamIdleTimeout a pooled HTTP/1.1 upstream connection unused this long is closed
 */
public record ProxyOptions(
    int maxRetriableBytes,
    int maxPendingPerBackend,
    Duration sniffTimeout,
    Duration upstreamIdleTimeout,
    OutlierPolicy outlier) {

  public static ProxyOptions defaults() {
    return new ProxyOptions(
        64 << 10, 1024, Duration.ofSeconds(1), Duration.ofSeconds(60), OutlierPolicy.DEFAULT);
  }

  public ProxyOptions withOutlier(OutlierPolicy p) {
    return new ProxyOptions(
        maxRetriableBytes, maxPendingPerBackend, sniffTimeout, upstreamIdleTimeout, p);
  }

  public ProxyOptions withMaxPendingPerBackend(int n) {
    return new ProxyOptions(maxRetriableBytes, n, sniffTimeout, upstreamIdleTimeout, outlier);
  }

  public ProxyOptions withUpstreamIdleTimeout(Duration d) {
    return new ProxyOptions(maxRetriableBytes, maxPendingPerBackend, sniffTimeout, d, outlier);
  }
}
