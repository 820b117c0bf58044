package dev.ambit.control.xds;

import dev.ambit.control.metrics.ControlMetrics;
import dev.ambit.control.server.CallerNode;
import dev.ambit.proto.discovery.AggregatedDiscoveryServiceGrpc;
import dev.ambit.proto.discovery.DeltaDiscoveryRequest;
import dev.ambit.proto.discovery.DeltaDiscoveryResponse;
import io.grpc.stub.StreamObserver;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delta ADS ({@code
 * envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources}) serving the
 * snapshots of an {@link XdsPublisher}. Each stream is handled by an {@link XdsStream}.
 */
public final class DeltaAdsService
    extends AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase {

  private final XdsPublisher publisher;
  private final ControlMetrics metrics;
  private final Set<XdsStream> streams = ConcurrentHashMap.newKeySet();

  public DeltaAdsService(XdsPublisher publisher, ControlMetrics metrics) {
    this.publisher = publisher;
    this.metrics = metrics;
  }

  @Override
  public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
      StreamObserver<DeltaDiscoveryResponse> responses) {
    // a caller limited to one identity is a waypoint: it gets the xDS of its own Gateway only
    String onlyClient =
        CallerNode.onlyIdentity()
            .map(id -> "waypoint~" + id.namespace() + "/" + id.serviceAccount() + "~")
            .orElse(null);
    XdsStream stream =
        new XdsStream(
            CallerNode.current(), onlyClient, publisher, metrics, responses, streams::remove);
    streams.add(stream);
    return stream;
  }

  /** Node names and client ids of the connected streams, for debugging. */
  public java.util.List<String> connections() {
    return streams.stream().map(XdsStream::describe).sorted().toList();
  }
}
