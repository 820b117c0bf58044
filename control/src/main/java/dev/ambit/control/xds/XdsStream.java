package dev.ambit.control.xds;

import dev.ambit.control.metrics.ControlMetrics;
import dev.ambit.proto.client.TypeUrls;
import dev.ambit.proto.discovery.DeltaDiscoveryRequest;
import dev.ambit.proto.discovery.DeltaDiscoveryResponse;
import dev.ambit.proto.discovery.Resource;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One delta ADS stream. Per type URL it keeps the subscription and the versions the client holds
 * (from {@code initial_resource_versions} and from what was sent), so every response carries only
 * changed resources and removals. Requests and pushes are serialised on this object.
 */
final class XdsStream implements StreamObserver<DeltaDiscoveryRequest> {

  private static final Logger log = LoggerFactory.getLogger(XdsStream.class);

  private final String node;
  private final String clientPrefix;
  private final XdsPublisher publisher;
  private final ControlMetrics metrics;
  private final StreamObserver<DeltaDiscoveryResponse> out;
  private final Consumer<XdsStream> onClose;
  private final Consumer<XdsPublisher.Update> subscriber = this::onUpdate;
  private final Map<String, TypeState> types = new LinkedHashMap<>();
  private String clientId = "";
  private long nonces;
  private boolean closed;

  /**
   * {@code clientPrefix} (may be null): the node id the client must present starts with it, e.g.
   * {@code waypoint~<ns>/<gateway>~} for a waypoint authenticated by its own token.
   */
  XdsStream(
      String node,
      String clientPrefix,
      XdsPublisher publisher,
      ControlMetrics metrics,
      StreamObserver<DeltaDiscoveryResponse> out,
      Consumer<XdsStream> onClose) {
    this.node = node;
    this.clientPrefix = clientPrefix;
    this.publisher = publisher;
    this.metrics = metrics;
    this.out = out;
    this.onClose = onClose;
    metrics.connected();
    publisher.subscribe(subscriber);
    if (out instanceof ServerCallStreamObserver<DeltaDiscoveryResponse> call) {
      call.setOnCancelHandler(() -> close("cancelled by client"));
    }
  }

  private static final class TypeState {
    boolean wildcard;
    final Set<String> names = new HashSet<>();
    final Map<String, String> clientVersions = new HashMap<>();

    /** The snapshot the client's view of this type was last brought in line with. */
    XdsSnapshot syncedTo;
  }

  String describe() {
    return node + " " + clientId + " " + types.keySet();
  }

  @Override
  public synchronized void onNext(DeltaDiscoveryRequest req) {
    if (closed) {
      return;
    }
    if (clientId.isEmpty() && req.hasNode()) {
      clientId = req.getNode().getId();
      log.info("xDS client {} connected (node credential {})", clientId, node);
    }
    if (clientPrefix != null && !clientId.startsWith(clientPrefix)) {
      String why =
          "this caller may only be xDS client " + clientPrefix + "<node>, not '" + clientId + "'";
      log.warn("refused xDS client {} (node {}): {}", clientId, node, why);
      out.onError(Status.PERMISSION_DENIED.withDescription(why).asRuntimeException());
      close("refused: " + why);
      return;
    }
    String type = req.getTypeUrl();
    if (!req.getResponseNonce().isEmpty()) {
      if (req.hasErrorDetail()) {
        metrics.rejected(TypeUrls.shortName(type));
        log.warn(
            "xDS client {} (node {}) rejected {} nonce {}: {}",
            clientId,
            node,
            TypeUrls.shortName(type),
            req.getResponseNonce(),
            req.getErrorDetail().getMessage());
      } else {
        log.debug("xDS client {} acknowledged {} nonce {}", clientId, type, req.getResponseNonce());
      }
    }
    TypeState state = types.get(type);
    boolean first = state == null;
    if (first) {
      state = new TypeState();
      types.put(type, state);
      state.wildcard =
          req.getResourceNamesSubscribeList().isEmpty()
              || req.getResourceNamesSubscribeList().contains("*");
      state.clientVersions.putAll(req.getInitialResourceVersionsMap());
      if (!TypeUrls.TYPES.containsKey(type)) {
        log.warn("xDS client {} subscribed to unknown type {}; it will stay empty", clientId, type);
      }
    } else if (req.getResourceNamesSubscribeCount() == 0
        && req.getResourceNamesUnsubscribeCount() == 0) {
      return; // a pure ACK/NACK
    }
    for (String name : req.getResourceNamesSubscribeList()) {
      if (name.equals("*")) {
        state.wildcard = true;
      } else {
        state.names.add(name);
      }
    }
    for (String name : req.getResourceNamesUnsubscribeList()) {
      if (name.equals("*")) {
        state.wildcard = false;
      } else {
        state.names.remove(name);
      }
    }
    push(type, state, publisher.current(), first, null);
  }

  private synchronized void onUpdate(XdsPublisher.Update update) {
    if (closed) {
      return;
    }
    for (var e : types.entrySet()) {
      TypeState state = e.getValue();
      Set<String> touched =
          state.syncedTo == update.previous()
              ? update.touched().getOrDefault(e.getKey(), Set.of())
              : null;
      push(e.getKey(), state, update.next(), false, touched);
    }
  }

  /**
   * Sends what differs between the client's view and {@code snapshot}. With {@code touched} (the
   * names that changed since the snapshot the client is in line with) only those are examined.
   */
  private void push(
      String type, TypeState state, XdsSnapshot snapshot, boolean always, Set<String> touched) {
    Map<String, XdsResource> all = snapshot.of(type);
    List<Resource> changed = new ArrayList<>();
    Iterable<XdsResource> candidates =
        touched == null
            ? all.values()
            : touched.stream().map(all::get).filter(java.util.Objects::nonNull).toList();
    for (XdsResource r : candidates) {
      if ((state.wildcard || state.names.contains(r.name()))
          && !r.version().equals(state.clientVersions.get(r.name()))) {
        changed.add(
            Resource.newBuilder()
                .setName(r.name())
                .setVersion(r.version())
                .setResource(r.body())
                .build());
      }
    }
    List<String> removed = new ArrayList<>();
    Iterable<String> held =
        touched == null
            ? state.clientVersions.keySet()
            : touched.stream().filter(state.clientVersions::containsKey).toList();
    for (String name : held) {
      if (!all.containsKey(name) || !(state.wildcard || state.names.contains(name))) {
        removed.add(name);
      }
    }
    if (changed.isEmpty() && removed.isEmpty() && !always) {
      state.syncedTo = snapshot;
      return;
    }
    DeltaDiscoveryResponse response =
        DeltaDiscoveryResponse.newBuilder()
            .setTypeUrl(type)
            .setSystemVersionInfo(Long.toString(snapshot.version()))
            .setNonce(Long.toString(++nonces))
            .addAllResources(changed)
            .addAllRemovedResources(removed)
            .build();
    try {
      out.onNext(response);
    } catch (RuntimeException e) {
      metrics.internalError();
      close("send failed: " + e.getMessage());
      return;
    }
    changed.forEach(r -> state.clientVersions.put(r.getName(), r.getVersion()));
    removed.forEach(state.clientVersions::remove);
    state.syncedTo = snapshot;
    metrics.pushed(TypeUrls.shortName(type), response.getSerializedSize());
    if (!always) {
      metrics.pushLatency((System.nanoTime() - snapshot.changedAtNanos()) / 1e9);
    }
    log.debug(
        "pushed {} to {}: {} changed, {} removed (snapshot {})",
        TypeUrls.shortName(type),
        clientId,
        changed.size(),
        removed.size(),
        snapshot.version());
  }

  @Override
  public void onError(Throwable t) {
    close("stream error: " + Status.fromThrowable(t));
  }

  @Override
  public synchronized void onCompleted() {
    if (!closed) {
      out.onCompleted();
    }
    close("closed by client");
  }

  private void close(String why) {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    publisher.unsubscribe(subscriber);
    metrics.disconnected();
    onClose.accept(this);
    log.info("xDS client {} (node {}) disconnected: {}", clientId, node, why);
  }
}
