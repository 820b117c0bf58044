package dev.ambit.ztunnel.proxy;

import dev.ambit.ztunnel.telemetry.ConnectionLabels;
import dev.ambit.ztunnel.telemetry.ConnectionRecord;
import dev.ambit.ztunnel.telemetry.TcpMetrics;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One accepted outbound connection from its acceptance until it is relayed or refused, which
 * happens exactly once ({@link #settle}): a deadline, the upstream's outcome or the client going
 * away, whichever comes first. Remembers the labels of the route being tried and the proxies that
 * failed, so that a failure is recorded with the ecosystem's connection-failure response flag.
 */
final class OutboundAttempt {

  private final Channel downstream;
  private final InetSocketAddress target;
  private final Consumer<Boolean> connected;
  private final long startNanos = System.nanoTime();
  private final AtomicBoolean settled = new AtomicBoolean();
  private volatile Future<?> deadline;
  private volatile ConnectionLabels labels;
  private volatile InetSocketAddress destination;
  private Set<InetAddress> failedProxies; // touched by one callback at a time

  OutboundAttempt(Channel downstream, InetSocketAddress target, Consumer<Boolean> connected) {
    this.downstream = downstream;
    this.target = target;
    this.connected = connected;
  }

  Channel downstream() {
    return downstream;
  }

  /** The original destination the application connected to. */
  InetSocketAddress target() {
    return target;
  }

  InetSocketAddress source() {
    return (InetSocketAddress) downstream.remoteAddress();
  }

  long startNanos() {
    return startNanos;
  }

  void deadline(Future<?> timer) {
    this.deadline = timer;
    if (settled.get()) {
      timer.cancel(false);
    }
  }

  /** The route now being tried: what a failure or a timeout is recorded as. */
  void trying(ConnectionLabels labels, InetSocketAddress destination) {
    this.labels = labels;
    this.destination = destination;
  }

  ConnectionLabels labels() {
    return labels;
  }

  InetSocketAddress destination() {
    return destination;
  }

  /** Marks {@code proxy} as failed for this connection; true if it had not failed before. */
  boolean proxyFailed(InetAddress proxy) {
    if (failedProxies == null) {
      failedProxies = new HashSet<>();
    }
    return failedProxies.add(proxy);
  }

  boolean hasFailed(InetAddress proxy) {
    return failedProxies != null && failedProxies.contains(proxy);
  }

  /** True exactly once: the caller then relays or refuses the connection. */
  boolean settle() {
    if (!settled.compareAndSet(false, true)) {
      return false;
    }
    Future<?> timer = deadline;
    if (timer != null) {
      timer.cancel(false);
    }
    return true;
  }

  /**
   * Records the connection as failed (response flag {@link ConnectionLabels#CONNECTION_FAILURE})
   * when a route was resolved, then resets the client's connection. Call after {@link #settle}.
   */
  void refuse(TcpMetrics metrics, String result) {
    ConnectionLabels l = labels;
    if (l != null) {
      new ConnectionRecord(
              metrics,
              l.withResponseFlags(ConnectionLabels.CONNECTION_FAILURE),
              source(),
              destination,
              startNanos)
          .close(result);
    }
    connected.accept(false);
    Connections.abort(downstream);
  }

  /** The record of the relayed connection. Call after {@link #settle}. */
  ConnectionRecord relayed(TcpMetrics metrics) {
    connected.accept(true);
    return new ConnectionRecord(metrics, labels, source(), destination, startNanos);
  }
}
