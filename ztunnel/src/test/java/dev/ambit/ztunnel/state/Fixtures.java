package dev.ambit.ztunnel.state;

import com.google.protobuf.ByteString;
import dev.ambit.proto.workload.Address;
import dev.ambit.proto.workload.GatewayAddress;
import dev.ambit.proto.workload.NetworkAddress;
import dev.ambit.proto.workload.Port;
import dev.ambit.proto.workload.PortList;
import dev.ambit.proto.workload.Service;
import dev.ambit.proto.workload.TunnelProtocol;
import dev.ambit.proto.workload.Workload;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

/** Builders for workload-API resources used by tests. */
public final class Fixtures {

  private Fixtures() {}

  public static ByteString ip(String literal) {
    try {
      return ByteString.copyFrom(InetAddress.getByName(literal).getAddress());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** An HBONE workload "local//Pod/ns/name" with service account {@code sa} at {@code ip}. */
  public static Workload.Builder pod(String ns, String name, String sa, String ip) {
    return Workload.newBuilder()
        .setUid("local//Pod/" + ns + "/" + name)
        .setName(name)
        .setNamespace(ns)
        .setServiceAccount(sa)
        .setTrustDomain("cluster.local")
        .setTunnelProtocol(TunnelProtocol.HBONE)
        .addAddresses(ip(ip));
  }

  /** Declares that the workload backs {@code serviceKey} with servicePort -> targetPort. */
  public static Workload.Builder backs(
      Workload.Builder w, String serviceKey, int servicePort, int targetPort) {
    return w.putServices(
        serviceKey,
        PortList.newBuilder()
            .addPorts(Port.newBuilder().setServicePort(servicePort).setTargetPort(targetPort))
            .build());
  }

  public static Service.Builder service(String ns, String name, String vip, int port, int target) {
    return Service.newBuilder()
        .setName(name)
        .setNamespace(ns)
        .setHostname(name + "." + ns + ".svc.cluster.local")
        .addAddresses(NetworkAddress.newBuilder().setAddress(ip(vip)))
        .addPorts(Port.newBuilder().setServicePort(port).setTargetPort(target));
  }

  public static GatewayAddress waypoint(String vip) {
    return GatewayAddress.newBuilder()
        .setAddress(NetworkAddress.newBuilder().setAddress(ip(vip)))
        .setHboneMtlsPort(15008)
        .build();
  }

  public static Map.Entry<String, Address> resource(Workload.Builder w) {
    return Map.entry(w.getUid(), Address.newBuilder().setWorkload(w).build());
  }

  public static Map.Entry<String, Address> resource(Service.Builder s) {
    return Map.entry(
        s.getNamespace() + "/" + s.getHostname(), Address.newBuilder().setService(s).build());
  }

  @SafeVarargs
  public static Map<String, Address> resources(Map.Entry<String, Address>... entries) {
    return Map.ofEntries(entries);
  }
}
