package dev.ambit.waypoint.metrics;

import dev.ambit.transport.hbone.RelayCounters;
import java.util.concurrent.atomic.LongAdder;

/**
 * The TCP counters of one label set: connections opened and closed, bytes received from the source
 * (request direction) and sent to it (response direction). As {@link RelayCounters} with side A the
 * downstream, so a relay feeds it without allocating.
 */
public final class TcpSeries implements RelayCounters {

  final LongAdder opened = new LongAdder();
  final LongAdder closed = new LongAdder();
  final LongAdder received = new LongAdder();
  final LongAdder sent = new LongAdder();

  public void opened() {
    opened.increment();
  }

  public void closed() {
    closed.increment();
  }

  @Override
  public void aToB(int bytes) {
    received.add(bytes);
  }

  @Override
  public void bToA(int bytes) {
    sent.add(bytes);
  }
}
