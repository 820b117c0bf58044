package dev.ambit.ztunnel;

import java.time.Duration;

/**
 * Data-path settings.
 *
 * @param outboundPort outbound capture listener (15001)
 * @param inboundPlaintextPort inbound plaintext capture listener (15006)
 * @param hbonePort HBONE inbound listener (15008)
 * @param socksPort SOCKS5 listener on the pod's loopback (15080)
 * @param trustDomain the mesh trust domain, for the identities of pods not yet in state
 * @param stateWait how long a connection of a pod whose state has not arrived is held
 * @param certificateWait how long a connection waits for its pod's first certificate
 * @param transparent bind upstream sockets to the original source address (IP_TRANSPARENT)
 */
public record ZtunnelConfig(
    int outboundPort,
    int inboundPlaintextPort,
    int hbonePort,
    int socksPort,
    String trustDomain,
    Duration stateWait,
    Duration certificateWait,
    boolean transparent) {

  /**
   * The ecosystem's ports, trust domain cluster.local, 5 s state wait, 10 s certificate wait,
   * transparent sources.
   */
  public static ZtunnelConfig defaults() {
    return new ZtunnelConfig(
        15001,
        15006,
        15008,
        15080,
        "cluster.local",
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        true);
  }
}
