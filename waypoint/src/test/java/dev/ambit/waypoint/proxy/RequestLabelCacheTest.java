package dev.ambit.waypoint.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ambit.proto.workload.Address;
import dev.ambit.proto.workload.NetworkAddress;
import dev.ambit.proto.workload.Port;
import dev.ambit.proto.workload.PortList;
import dev.ambit.proto.workload.Service;
import dev.ambit.proto.workload.Workload;
import dev.ambit.proto.workload.WorkloadStatus;
import dev.ambit.waypoint.config.Endpoint;
import dev.ambit.waypoint.config.MeshView;
import dev.ambit.waypoint.config.ServiceInfo;
import dev.ambit.waypoint.metrics.GrpcStatus;
import dev.ambit.waypoint.metrics.RequestMetrics;
import dev.ambit.waypoint.metrics.ResponseFlag;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestLabelCacheTest {

  private final RequestMetrics metrics = new RequestMetrics();
  private final RequestLabelCache cache = new RequestLabelCache(metrics);

  @Test
  void eachSourceKeepsItsOwnLabelsAcrossManyOtherSources() throws Exception {
    MeshView mesh = mesh("server-v1", 20);
    ServiceInfo svc = mesh.service("shop", "server").orElseThrow();
    Endpoint ep = mesh.endpoints(svc, 80).getFirst();
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 20; i++) {
        record(cache.labels(downstream(i, svc), mesh, ep, svc, "http"));
      }
    }
    String scrape = metrics.scrape();
    for (int i = 0; i < 20; i++) {
      assertThat(scrape)
          .contains(
              "istio_requests_total{reporter=\"waypoint\",source_workload=\"client-"
                  + i
                  + "\",source_workload_namespace=\"shop\",source_principal=\"spiffe://cluster.local/ns/shop/sa/client-"
                  + i
                  + "\",destination_workload=\"server-v1\"");
    }
    assertThat(scrape).contains("response_flags=\"-\"} 3\n");
  }

  @Test
  void aNewConfigurationIsNeverAnsweredFromTheOldOne() throws Exception {
    MeshView before = mesh("server-v1", 1);
    ServiceInfo svcBefore = before.service("shop", "server").orElseThrow();
    record(
        cache.labels(
            downstream(0, svcBefore),
            before,
            before.endpoints(svcBefore, 80).getFirst(),
            svcBefore,
            "http"));

    MeshView after = mesh("server-v2", 1); // the endpoint's workload was replaced
    ServiceInfo svcAfter = after.service("shop", "server").orElseThrow();
    record(
        cache.labels(
            downstream(0, svcAfter),
            after,
            after.endpoints(svcAfter, 80).getFirst(),
            svcAfter,
            "http"));

    assertThat(metrics.scrape())
        .contains("destination_workload=\"server-v1\"")
        .contains("destination_workload=\"server-v2\"");
  }

  @Test
  void theProtocolIsPartOfTheLabels() throws Exception {
    MeshView mesh = mesh("server-v1", 1);
    ServiceInfo svc = mesh.service("shop", "server").orElseThrow();
    Endpoint ep = mesh.endpoints(svc, 80).getFirst();
    record(cache.labels(downstream(0, svc), mesh, ep, svc, "http"));
    record(cache.labels(downstream(0, svc), mesh, ep, svc, "grpc"));
    assertThat(metrics.scrape())
        .contains("request_protocol=\"http\"")
        .contains("request_protocol=\"grpc\"");
  }

  private void record(dev.ambit.waypoint.metrics.RequestLabels labels) {
    metrics.record(labels, 200, GrpcStatus.NONE, ResponseFlag.NONE, 1, 0, 10);
  }

  private static Downstream downstream(int i, ServiceInfo svc) throws Exception {
    return new Downstream(
        "spiffe://cluster.local/ns/shop/sa/client-" + i,
        InetAddress.getByName("10.0.0." + (i + 1)),
        svc,
        80,
        null,
        null);
  }

  private static MeshView mesh(String serverName, int clients) throws Exception {
    List<Address> addresses = new ArrayList<>();
    addresses.add(
        Address.newBuilder()
            .setService(
                Service.newBuilder()
                    .setName("server")
                    .setNamespace("shop")
                    .setHostname("server.shop.svc.cluster.local")
                    .addAddresses(NetworkAddress.newBuilder().setAddress(ip("10.96.0.10")).build())
                    .addPorts(Port.newBuilder().setServicePort(80).setTargetPort(8080)))
            .build());
    addresses.add(workload(serverName, "10.0.1.1", "shop/server.shop.svc.cluster.local"));
    for (int i = 0; i < clients; i++) {
      addresses.add(workload("client-" + i, "10.0.0." + (i + 1), null));
    }
    return MeshView.of(addresses);
  }

  private static Address workload(String name, String ip, String serviceKey) throws Exception {
    Workload.Builder w =
        Workload.newBuilder()
            .setUid("local//Pod/shop/" + name)
            .setName(name)
            .setNamespace("shop")
            .setServiceAccount(name)
            .setStatus(WorkloadStatus.HEALTHY)
            .addAddresses(ip(ip));
    if (serviceKey != null) {
      w.putServices(serviceKey, PortList.newBuilder().build());
    }
    return Address.newBuilder().setWorkload(w).build();
  }

  private static ByteString ip(String ip) throws Exception {
    return ByteString.copyFrom(InetAddress.getByName(ip).getAddress());
  }
}
