package dev.ambit.ztunnel.telemetry;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The telemetry of one connection: counts it as opened on creation, adds bytes to both the
 * connection's and its label set's counters, and at {@link #close} counts it as closed and writes
 * one JSON access-log line to the logger {@value #ACCESS_LOGGER}.
 */
public final class ConnectionRecord {

  public static final String ACCESS_LOGGER = "dev.ambit.ztunnel.access";
  private static final Logger ACCESS = LoggerFactory.getLogger(ACCESS_LOGGER);

  private final TcpMetrics metrics;
  private final TcpMetrics.Counters counters;
  private final ConnectionLabels labels;
  private final InetSocketAddress source;
  private final InetSocketAddress destination;
  private final long startNanos;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Opens the record of a connection from {@code source} to {@code destination}. */
  public ConnectionRecord(
      TcpMetrics metrics,
      ConnectionLabels labels,
      InetSocketAddress source,
      InetSocketAddress destination) {
    this(metrics, labels, source, destination, System.nanoTime());
  }

  /**
   * Opens the record of a connection accepted at {@code startNanos} ({@link System#nanoTime}), once
   * its outcome (and so its labels) is known.
   */
  public ConnectionRecord(
      TcpMetrics metrics,
      ConnectionLabels labels,
      InetSocketAddress source,
      InetSocketAddress destination,
      long startNanos) {
    this.startNanos = startNanos;
    this.metrics = metrics;
    this.counters = metrics.counters(labels);
    this.labels = labels;
    this.source = source;
    this.destination = destination;
    counters.opened();
  }

  /** Bytes from the destination back to the source. */
  public void sent(long bytes) {
    sent.addAndGet(bytes);
    counters.sent(bytes);
  }

  /** Bytes from the source to the destination. */
  public void received(long bytes) {
    received.addAndGet(bytes);
    counters.received(bytes);
  }

  /** Ends the record once; later calls do nothing. {@code result} is e.g. "ok" or an error. */
  public void close(String result) {
    close(result, counters);
  }

  /**
   * Ends the record of a connection that policy refused or closed: it counts as closed with {@code
   * response_flags="DENY"} (opened, and bytes, stay with the label set it was opened with).
   */
  public void closeDenied(String result) {
    close(result, metrics.counters(labels.withResponseFlags(ConnectionLabels.DENY)));
  }

  private void close(String result, TcpMetrics.Counters closedIn) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closedIn.closed();
    if (ACCESS.isInfoEnabled()) {
      ACCESS.info(accessLogLine(result));
    }
  }

  String accessLogLine(String result) {
    return AccessLogLine.render(
        counters.accessLog,
        source,
        destination,
        sent.get(),
        received.get(),
        (System.nanoTime() - startNanos) / 1_000_000,
        result);
  }
}
