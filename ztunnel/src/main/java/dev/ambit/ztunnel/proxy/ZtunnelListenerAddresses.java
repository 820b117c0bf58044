package dev.ambit.ztunnel.proxy;

import dev.ambit.ztunnel.ZtunnelConfig;
import dev.ambit.ztunnel.pods.PodSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Where a pod's listeners bind. Inside the pod's own namespace: the wildcard (SOCKS5 on loopback);
 * without a namespace: the pod's first address for all four.
 */
record ZtunnelListenerAddresses(
    InetSocketAddress outbound,
    InetSocketAddress inboundPlaintext,
    InetSocketAddress hbone,
    InetSocketAddress socks) {

  ZtunnelListenerAddresses(PodSpec pod, ZtunnelConfig c) {
    this(
        at(pod, c.outboundPort(), false),
        at(pod, c.inboundPlaintextPort(), false),
        at(pod, c.hbonePort(), false),
        at(pod, c.socksPort(), true));
  }

  private static InetSocketAddress at(PodSpec pod, int port, boolean loopback) {
    if (pod.netns() == null) {
      return new InetSocketAddress(pod.ips().getFirst(), port);
    }
    return loopback
        ? new InetSocketAddress(InetAddress.getLoopbackAddress(), port)
        : new InetSocketAddress(port);
  }
}
