package dev.ambit.waypoint.metrics;

import java.util.concurrent.atomic.LongAdder;

/** The four request metrics of one full label set. */
final class RequestSeries {

  static final double[] DURATION_BUCKETS_MS = {
    0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000,
    1800000, 3600000
  };
  static final double[] SIZE_BUCKETS = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

  final int code;
  final GrpcStatus grpc;
  final ResponseFlag flag;
  final LongAdder requests = new LongAdder();
  final Histogram durationMs = new Histogram(DURATION_BUCKETS_MS);
  final Histogram requestBytes = new Histogram(SIZE_BUCKETS);
  final Histogram responseBytes = new Histogram(SIZE_BUCKETS);

  RequestSeries(int code, GrpcStatus grpc, ResponseFlag flag) {
    this.code = code;
    this.grpc = grpc;
    this.flag = flag;
  }

  String outcomeLabels() {
    return "response_code=\""
        + code
        + "\",grpc_response_status=\""
        + grpc.label()
        + "\",response_flags=\""
        + flag.label()
        + "\"";
  }
}
