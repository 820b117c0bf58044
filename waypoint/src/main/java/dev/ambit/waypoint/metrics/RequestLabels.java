package dev.ambit.waypoint.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The labels of a request series that are fixed per source and destination; the outcome labels
 * (code, gRPC status, flags) select a {@link RequestSeries} cached inside. Finding a series that
 * exists does not allocate.
 */
public final class RequestLabels {

  private static final int MIN_CODE = 100;
  private static final int CODES = 500;
  private static final int FLAGS = ResponseFlag.values().length;
  private static final int OUTCOMES = GrpcStatus.values().length * FLAGS;

  private final String rendered;
  private final AtomicReferenceArray<AtomicReferenceArray<RequestSeries>> byCode =
      new AtomicReferenceArray<>(CODES);

  RequestLabels(String rendered) {
    this.rendered = rendered;
  }

  String rendered() {
    return rendered;
  }

  RequestSeries series(int code, GrpcStatus grpc, ResponseFlag flag) {
    int c = Math.clamp(code - MIN_CODE, 0, CODES - 1);
    AtomicReferenceArray<RequestSeries> outcomes = byCode.get(c);
    if (outcomes == null) {
      byCode.compareAndSet(c, null, new AtomicReferenceArray<>(OUTCOMES));
      outcomes = byCode.get(c);
    }
    int o = grpc.ordinal() * FLAGS + flag.ordinal();
    RequestSeries s = outcomes.get(o);
    if (s == null) {
      outcomes.compareAndSet(o, null, new RequestSeries(c + MIN_CODE, grpc, flag));
      s = outcomes.get(o);
    }
    return s;
  }

  List<RequestSeries> allSeries() {
    List<RequestSeries> all = new ArrayList<>();
    for (int c = 0; c < CODES; c++) {
      AtomicReferenceArray<RequestSeries> outcomes = byCode.get(c);
      if (outcomes == null) {
        continue;
      }
      for (int o = 0; o < OUTCOMES; o++) {
        RequestSeries s = outcomes.get(o);
        if (s != null) {
          all.add(s);
        }
      }
    }
    return all;
  }
}
