package dev.ambit.waypoint.testing;

import com.google.protobuf.ByteString;
import dev.ambit.proto.workload.Address;
import dev.ambit.proto.workload.GatewayAddress;
import dev.ambit.proto.workload.LoadBalancerAlgorithm;
import dev.ambit.proto.workload.NetworkAddress;
import dev.ambit.proto.workload.Port;
import dev.ambit.proto.workload.PortList;
import dev.ambit.proto.workload.Service;
import dev.ambit.proto.workload.Workload;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** Builds workload-API resources for tests. */
public final class Mesh {

  public static final String WAYPOINT_VIP = "10.96.0.100";
  private final List<Address> addresses = new ArrayList<>();

  public Mesh() {
    addresses.add(
        Address.newBuilder()
            .setService(
                Service.newBuilder()
                    .setName("waypoint")
                    .setNamespace("shop")
                    .setHostname("waypoint.shop.svc.cluster.local")
                    .addAddresses(na(WAYPOINT_VIP))
                    .addPorts(Port.newBuilder().setServicePort(15008).setTargetPort(15008)))
            .build());
  }

  static NetworkAddress na(String ip) {
    return NetworkAddress.newBuilder().setAddress(bytes(ip)).build();
  }

  public static ByteString bytes(String ip) {
    try {
      return ByteString.copyFrom(InetAddress.getByName(ip).getAddress());
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** A service bound to the test waypoint, port {@code port} -> {@code target}. */
  public Mesh service(String name, String vip, int port, int target) {
    return service(name, vip, port, target, WAYPOINT_VIP);
  }

  public Mesh service(String name, String vip, int port, int target, String waypointVip) {
    Service.Builder s =
        Service.newBuilder()
            .setName(name)
            .setNamespace("shop")
            .setHostname(name + ".shop.svc.cluster.local")
            .addAddresses(na(vip))
            .addPorts(Port.newBuilder().setServicePort(port).setTargetPort(target));
    if (waypointVip != null) {
      s.setWaypoint(
          GatewayAddress.newBuilder().setAddress(na(waypointVip)).setHboneMtlsPort(15008));
    }
    addresses.add(Address.newBuilder().setService(s).build());
    return this;
  }

  /** A pod with service account {@code name} backing the given services on port 9080 -> 8080. */
  public Mesh pod(String name, String ip, String... services) {
    Workload.Builder w =
        Workload.newBuilder()
            .setUid("local//Pod/shop/" + name)
            .setName(name)
            .setWorkloadName(name)
            .setNamespace("shop")
            .setServiceAccount(name)
            .setTrustDomain("cluster.local")
            .addAddresses(bytes(ip));
    for (String s : services) {
      w.putServices(
          "shop/" + s + ".shop.svc.cluster.local",
          PortList.newBuilder()
              .addPorts(Port.newBuilder().setServicePort(9080).setTargetPort(8080))
              .build());
    }
    addresses.add(Address.newBuilder().setWorkload(w).build());
    return this;
  }

  /** Sets the load-balancing algorithm of a service (its ambit.dev/load-balancer annotation). */
  public Mesh loadBalancer(String service, LoadBalancerAlgorithm algorithm) {
    addresses.replaceAll(
        a ->
            a.hasService() && a.getService().getName().equals(service)
                ? a.toBuilder()
                    .setService(a.getService().toBuilder().setAmbitLoadBalancer(algorithm))
                    .build()
                : a);
    return this;
  }

  public List<Address> addresses() {
    return List.copyOf(addresses);
  }
}
