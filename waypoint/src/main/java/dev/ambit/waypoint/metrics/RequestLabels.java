package dev.ambit.waypoint.metrics;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The labels of a request series that are fixed per source and destination; the outcome labels
 * (code, gRPC status, flags) select a {@link RequestSeries} cached inside.
 */
public final class RequestLabels {

  private final String rendered;
  private final ConcurrentHashMap<Integer, RequestSeries> series = new ConcurrentHashMap<>();

  RequestLabels(String rendered) {
    this.rendered = rendered;
  }

  String rendered() {
    return rendered;
  }

  RequestSeries series(int code, GrpcStatus grpc, ResponseFlag flag) {
    int key = code | grpc.ordinal() << 10 | flag.ordinal() << 16;
    RequestSeries s = series.get(key);
    if (s == null) {
      s = series.computeIfAbsent(key, k -> new RequestSeries(code, grpc, flag));
    }
    return s;
  }

  Iterable<RequestSeries> allSeries() {
    return series.values();
  }
}
