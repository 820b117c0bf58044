package dev.ambit.bench;

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
import dev.ambit.waypoint.metrics.RequestLabels;
import dev.ambit.waypoint.metrics.RequestMetrics;
import dev.ambit.waypoint.metrics.ResponseFlag;
import dev.ambit.waypoint.proxy.Downstream;
import dev.ambit.waypoint.proxy.RequestLabelCache;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The metric work a waypoint does for each request: find the label set of the request's source and
 * destination (through the per-thread cache the telemetry filter uses; kept-alive traffic hits it)
 * and record the outcome (count, duration, request and response sizes). Run with {@code -prof gc}:
 * it must allocate 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RequestMetricsBenchmark {

  private static final int CLIENTS = 200;

  private RequestMetrics metrics;
  private RequestLabelCache cache;
  private MeshView mesh;
  private ServiceInfo service;
  private Endpoint endpoint;
  private Downstream client;
  private RequestLabels labels;

  @Setup
  public void setUp() throws Exception {
    List<Address> addresses = new ArrayList<>();
    addresses.add(
        Address.newBuilder()
            .setService(
                Service.newBuilder()
                    .setName("server")
                    .setNamespace("bench")
                    .setHostname("server.bench.svc.cluster.local")
                    .addAddresses(address("10.96.0.10"))
                    .addPorts(Port.newBuilder().setServicePort(80).setTargetPort(8080)))
            .build());
    addresses.add(workload("server-v1", "10.0.1.1", "bench/server.bench.svc.cluster.local"));
    for (int i = 0; i < CLIENTS; i++) {
      addresses.add(workload("client-" + i, "10.0.0." + (i + 1), null));
    }
    mesh = MeshView.of(addresses);
    service = mesh.service("bench", "server").orElseThrow();
    endpoint = mesh.endpoints(service, 80).getFirst();
    metrics = new RequestMetrics();
    cache = new RequestLabelCache(metrics);
    // Other series exist too, as on a busy waypoint, and the cache has seen other clients.
    for (int i = 1; i < CLIENTS; i++) {
      metrics.record(
          cache.labels(downstream(i), mesh, endpoint, service, "http"),
          200,
          GrpcStatus.NONE,
          ResponseFlag.NONE,
          1.5,
          0,
          1024);
    }
    client = downstream(0);
    labels = cache.labels(client, mesh, endpoint, service, "http");
  }

  private Downstream downstream(int i) throws Exception {
    return new Downstream(
        "spiffe://cluster.local/ns/bench/sa/client-" + i,
        InetAddress.getByName("10.0.0." + (i + 1)),
        service,
        80,
        null,
        null);
  }

  private static NetworkAddress address(String ip) throws Exception {
    return NetworkAddress.newBuilder()
        .setAddress(ByteString.copyFrom(InetAddress.getByName(ip).getAddress()))
        .build();
  }

  private static Address workload(String name, String ip, String serviceKey) throws Exception {
    Workload.Builder w =
        Workload.newBuilder()
            .setUid("local//Pod/bench/" + name)
            .setName(name)
            .setNamespace("bench")
            .setServiceAccount(name)
            .setStatus(WorkloadStatus.HEALTHY)
            .addAddresses(ByteString.copyFrom(InetAddress.getByName(ip).getAddress()));
    if (serviceKey != null) {
      w.putServices(serviceKey, PortList.newBuilder().build());
    }
    return Address.newBuilder().setWorkload(w).build();
  }

  /**
   * A whole request's metric work as the telemetry filter does it: the label set of the request's
   * source and destination (same as a recent request's), then the outcome recorded.
   */
  @Benchmark
  public RequestLabels perRequest() {
    RequestLabels l = cache.labels(client, mesh, endpoint, service, "http");
    metrics.record(l, 200, GrpcStatus.NONE, ResponseFlag.NONE, 2.5, 0, 1024);
    return l;
  }

  /** Recording alone, with the label set already found. */
  @Benchmark
  public RequestLabels record() {
    metrics.record(labels, 200, GrpcStatus.NONE, ResponseFlag.NONE, 2.5, 0, 1024);
    return labels;
  }
}
