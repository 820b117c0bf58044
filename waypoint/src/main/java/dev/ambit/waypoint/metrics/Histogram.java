package dev.ambit.waypoint.metrics;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** A fixed-bucket histogram; recording does not allocate. */
final class Histogram {

  private final double[] bounds;
  private final LongAdder[] counts;
  private final DoubleAdder sum = new DoubleAdder();
  private final LongAdder count = new LongAdder();

  Histogram(double[] bounds) {
    this.bounds = bounds;
    this.counts = new LongAdder[bounds.length];
    for (int i = 0; i < bounds.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  void record(double v) {
    for (int i = 0; i < bounds.length; i++) {
      if (v <= bounds[i]) {
        counts[i].increment();
        break;
      }
    }
    sum.add(v);
    count.increment();
  }

  void write(StringBuilder out, String name, String labels) {
    long cumulative = 0;
    for (int i = 0; i < bounds.length; i++) {
      cumulative += counts[i].sum();
      out.append(name).append("_bucket{").append(labels).append(",le=\"");
      appendBound(out, bounds[i]);
      out.append("\"} ").append(cumulative).append('\n');
    }
    long total = count.sum();
    out.append(name).append("_bucket{").append(labels).append(",le=\"+Inf\"} ");
    out.append(total).append('\n');
    out.append(name).append("_sum{").append(labels).append("} ").append(sum.sum()).append('\n');
    out.append(name).append("_count{").append(labels).append("} ").append(total).append('\n');
  }

  private static void appendBound(StringBuilder out, double b) {
    if (b == Math.rint(b)) {
      out.append((long) b);
    } else {
      out.append(b);
    }
  }
}
