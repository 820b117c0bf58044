package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.config.Endpoint;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;

/**
 * Opens a byte stream to an endpoint pod. In production an HBONE CONNECT with the waypoint's own
 * certificate, expecting the pod's identity; the returned channel carries plain bytes and may have
 * autoRead off (callers add their handlers, then turn it on).
 */
@FunctionalInterface
public interface UpstreamConnector {

  /**
   * @param loop the event loop the caller runs on; the channel should be registered on it where the
   *     implementation can (then a request and its upstream stream share one thread)
   */
  CompletableFuture<Channel> connect(Endpoint endpoint, EventLoop loop);
}
