package dev.ambit.control.mgmt;

import dev.ambit.control.state.MeshState;
import dev.ambit.proto.workload.GatewayAddress;
import dev.ambit.proto.workload.NetworkAddress;
import dev.ambit.proto.workload.Service;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;

/** Names waypoints by their address ("namespace/name"), for humans. */
final class Waypoints {

  private final Map<String, String> byVip = new HashMap<>();

  Waypoints(MeshState state) {
    for (Service s : state.services().values()) {
      for (NetworkAddress a : s.getAddressesList()) {
        byVip.put(ip(a.getAddress().toByteArray()), s.getNamespace() + "/" + s.getName());
      }
    }
  }

  String name(GatewayAddress gw) {
    String ip = ip(gw.getAddress().getAddress().toByteArray());
    return byVip.getOrDefault(ip, ip);
  }

  String address(GatewayAddress gw) {
    return ip(gw.getAddress().getAddress().toByteArray()) + ":" + gw.getHboneMtlsPort();
  }

  static String ip(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes).getHostAddress();
    } catch (UnknownHostException e) {
      return "?";
    }
  }
}
