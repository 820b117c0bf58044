package dev.ambit.waypoint.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ServerChannel;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Merges the flushes of a multiplexed connection's streams into one per event-loop turn. Every
 * request and every response flushes its stream, and each flush of a stream became a frame, a TLS
 * record and a socket write of the connection; the streams of one connection served in the same
 * turn of the loop now share them. Flushes during a read of the connection wait for the end of the
 * read, others for the end of the loop's current turn.
 */
public final class FlushMerging {

  static final String NAME = "waypoint-flushes";

  /** Flushes merged at most before one goes out anyway. */
  private static final int MAX_MERGED = 64;

  private FlushMerging() {}

  /** A handler that merges the flushes of the handlers after it. */
  static ChannelHandler handler() {
    return new FlushConsolidationHandler(MAX_MERGED, true);
  }

  /**
   * Installs the merging on the TLS connection that carries the HBONE stream {@code stream}, right
   * after its TLS handler, once per connection; nothing for a channel that is not a stream of a TLS
   * connection. Any thread.
   */
  public static void onConnectionOf(Channel stream) {
    Channel connection = stream.parent();
    if (connection == null || connection instanceof ServerChannel) {
      return;
    }
    ChannelPipeline p = connection.pipeline();
    synchronized (p) {
      if (p.get("tls") != null && p.get(NAME) == null) {
        p.addAfter("tls", NAME, handler());
      }
    }
  }
}
