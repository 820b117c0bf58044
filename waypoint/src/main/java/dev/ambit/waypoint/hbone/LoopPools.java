package dev.ambit.waypoint.hbone;

import dev.ambit.transport.hbone.HbonePool;
import dev.ambit.transport.hbone.HbonePoolConfig;
import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link HbonePool} per event loop, whose connections are registered on that loop: a request
 * and the upstream stream it is sent on are then served by one thread, with no hand-off (and no
 * wake-up of another thread) per request or per chunk of a body.
 */
public final class LoopPools implements AutoCloseable {

  private final HbonePoolConfig config;
  private final ConcurrentHashMap<EventLoop, HbonePool> pools = new ConcurrentHashMap<>();
  private boolean closed; // guarded by this

  public LoopPools(HbonePoolConfig config) {
    this.config = config;
  }

  /** The pool whose connections run on {@code loop}. */
  public HbonePool of(EventLoop loop) {
    HbonePool p = pools.get(loop);
    return p != null ? p : create(loop);
  }

  private synchronized HbonePool create(EventLoop loop) {
    HbonePool p = pools.computeIfAbsent(loop, l -> new HbonePool(l, config));
    if (closed) {
      p.close(); // later connects fail
    }
    return p;
  }

  @Override
  public synchronized void close() {
    closed = true;
    pools.values().forEach(HbonePool::close);
  }
}
