package dev.ambit.proto.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import dev.ambit.proto.discovery.AggregatedDiscoveryServiceGrpc;
import dev.ambit.proto.discovery.DeltaDiscoveryRequest;
import dev.ambit.proto.discovery.DeltaDiscoveryResponse;
import dev.ambit.proto.discovery.Node;
import dev.ambit.proto.discovery.Resource;
import dev.ambit.proto.discovery.Status;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A delta ADS client for the control plane's xDS port. It subscribes (wildcard) to the registered
 * types, decodes resources into their message classes, hands changes to an {@link XdsHandler}, ACKs
 * or NACKs, and reconnects with exponential backoff, presenting the versions it holds so the server
 * sends only what changed meanwhile. The last known state stays available while disconnected.
 *
 * <pre>{@code
 * XdsClient xds = XdsClient.builder("10.240.0.1:15012", ControlPlaneCredentials.fromDirectory(dir))
 *     .nodeId("ztunnel~node1")
 *     .subscribe(TypeUrls.ADDRESS, Address.class, (upserts, removals) -> state.apply(upserts, removals))
 *     .subscribe(TypeUrls.AUTHORIZATION, Authorization.class, policies::apply)
 *     .build();
 * xds.start();
 * xds.awaitSynced(Duration.ofSeconds(10)); // every type received its first response
 * }</pre>
 */
public final class XdsClient implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(XdsClient.class);

  private final ManagedChannel channel;
  private final boolean ownsChannel;
  private final String nodeId;
  private final Map<String, Subscription<?>> subscriptions;
  private final Runnable onSynced;
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private final ScheduledExecutorService scheduler;
  private final ReconnectLog reconnects = new ReconnectLog(log, "xDS stream");
  private final CountDownLatch synced = new CountDownLatch(1);
  private final Set<String> syncedTypes = ConcurrentHashMap.newKeySet();

  private ClientCallStreamObserver<DeltaDiscoveryRequest> requests;
  private Duration backoff;
  private boolean closed;

  private XdsClient(Builder b) {
    this.channel = b.channel;
    this.ownsChannel = b.ownsChannel;
    this.nodeId = b.nodeId;
    this.subscriptions = Map.copyOf(b.subscriptions);
    this.onSynced = b.onSynced;
    this.minBackoff = b.minBackoff;
    this.maxBackoff = b.maxBackoff;
    this.backoff = b.minBackoff;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("xds-client-" + b.nodeId).factory());
  }

  public static Builder builder(String target, ControlPlaneAuth credentials) {
    return new Builder(credentials.channel(target), true);
  }

  /** A client over an existing channel (not closed by {@link #close()}). */
  public static Builder builder(ManagedChannel channel) {
    return new Builder(channel, false);
  }

  public static final class Builder {
    private final ManagedChannel channel;
    private final boolean ownsChannel;
    private String nodeId = "ambit";
    private final Map<String, Subscription<?>> subscriptions = new LinkedHashMap<>();
    private Runnable onSynced = () -> {};
    private Duration minBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(5);

    private Builder(ManagedChannel channel, boolean ownsChannel) {
      this.channel = channel;
      this.ownsChannel = ownsChannel;
    }

    /** The id sent in the request's node field, e.g. "ztunnel~node1" (used in logs). */
    public Builder nodeId(String id) {
      this.nodeId = id;
      return this;
    }

    public <T extends Message> Builder subscribe(
        String typeUrl, Class<T> type, XdsHandler<T> handler) {
      subscriptions.put(typeUrl, new Subscription<>(typeUrl, type, handler));
      return this;
    }

    /** Called once, when every subscribed type has received its first response. */
    public Builder onSynced(Runnable callback) {
      this.onSynced = callback;
      return this;
    }

    public Builder backoff(Duration min, Duration max) {
      this.minBackoff = min;
      this.maxBackoff = max;
      return this;
    }

    public XdsClient build() {
      if (subscriptions.isEmpty()) {
        throw new IllegalStateException("subscribe to at least one type");
      }
      return new XdsClient(this);
    }
  }

  private static final class Subscription<T extends Message> {
    final String typeUrl;
    final Class<T> type;
    final XdsHandler<T> handler;
    final Map<String, String> versions = new ConcurrentHashMap<>();
    final Map<String, T> resources = new ConcurrentHashMap<>();

    Subscription(String typeUrl, Class<T> type, XdsHandler<T> handler) {
      this.typeUrl = typeUrl;
      this.type = type;
      this.handler = handler;
    }

    /** Decodes, hands to the handler, and records the new state; returns an error or null. */
    String apply(DeltaDiscoveryResponse response) {
      Map<String, T> upserts = new LinkedHashMap<>();
      Map<String, String> newVersions = new HashMap<>();
      for (Resource r : response.getResourcesList()) {
        try {
          upserts.put(r.getName(), r.getResource().unpack(type));
          newVersions.put(r.getName(), r.getVersion());
        } catch (InvalidProtocolBufferException e) {
          return "cannot decode "
              + r.getName()
              + " as "
              + type.getSimpleName()
              + ": "
              + e.getMessage();
        }
      }
      Set<String> removals = Set.copyOf(response.getRemovedResourcesList());
      try {
        handler.onUpdate(upserts, removals);
      } catch (Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
      }
      removals.forEach(
          n -> {
            versions.remove(n);
            resources.remove(n);
          });
      versions.putAll(newVersions);
      resources.putAll(upserts);
      return null;
    }
  }

  public synchronized void start() {
    connect();
  }

  /** Waits until every subscribed type has received its first response. */
  public boolean awaitSynced(Duration timeout) throws InterruptedException {
    return synced.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public boolean isSynced() {
    return synced.getCount() == 0;
  }

  /** The current resources of a type, by name (the last known state while disconnected). */
  @SuppressWarnings("unchecked")
  public <T extends Message> Map<String, T> resources(String typeUrl) {
    Subscription<?> s = subscriptions.get(typeUrl);
    return s == null ? Map.of() : Map.copyOf((Map<String, T>) s.resources);
  }

  private synchronized void connect() {
    if (closed) {
      return;
    }
    Stream stream = new Stream();
    AggregatedDiscoveryServiceGrpc.newStub(channel).deltaAggregatedResources(stream);
    requests = stream.requests;
    boolean first = true;
    for (Subscription<?> s : subscriptions.values()) {
      DeltaDiscoveryRequest.Builder req =
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(s.typeUrl)
              .addResourceNamesSubscribe("*")
              .putAllInitialResourceVersions(s.versions);
      if (first) {
        req.setNode(Node.newBuilder().setId(nodeId).setMetadata(Struct.getDefaultInstance()));
        first = false;
      }
      requests.onNext(req.build());
    }
  }

  /** One stream attempt; callbacks of a superseded attempt are ignored. */
  private final class Stream
      implements ClientResponseObserver<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
    private ClientCallStreamObserver<DeltaDiscoveryRequest> requests;

    @Override
    public void beforeStart(ClientCallStreamObserver<DeltaDiscoveryRequest> stream) {
      requests = stream;
    }

    @Override
    public void onNext(DeltaDiscoveryResponse response) {
      handle(requests, response);
    }

    @Override
    public void onError(Throwable t) {
      disconnected(requests, ReconnectLog.describe(t));
    }

    @Override
    public void onCompleted() {
      disconnected(requests, "server closed the stream");
    }
  }

  private synchronized void handle(
      ClientCallStreamObserver<DeltaDiscoveryRequest> stream, DeltaDiscoveryResponse response) {
    if (stream != requests || closed) {
      return;
    }
    backoff = minBackoff;
    reconnects.restored();
    Subscription<?> s = subscriptions.get(response.getTypeUrl());
    DeltaDiscoveryRequest.Builder reply =
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setResponseNonce(response.getNonce());
    String error = s == null ? "not subscribed to " + response.getTypeUrl() : s.apply(response);
    if (error != null) {
      log.warn(
          "rejecting {} nonce {}: {}",
          TypeUrls.shortName(response.getTypeUrl()),
          response.getNonce(),
          error);
      reply.setErrorDetail(Status.newBuilder().setCode(3).setMessage(error));
    }
    stream.onNext(reply.build());
    if (error == null
        && syncedTypes.add(response.getTypeUrl())
        && syncedTypes.containsAll(subscriptions.keySet())
        && synced.getCount() > 0) {
      synced.countDown();
      onSynced.run();
    }
  }

  private synchronized void disconnected(
      ClientCallStreamObserver<DeltaDiscoveryRequest> stream, String why) {
    if (stream != requests || closed) {
      return;
    }
    requests = null;
    Duration wait = backoff;
    backoff =
        backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
    reconnects.failed(why, wait);
    scheduler.schedule(this::connect, wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    ClientCallStreamObserver<DeltaDiscoveryRequest> stream;
    synchronized (this) {
      closed = true;
      stream = requests;
      requests = null;
    }
    if (stream != null) {
      stream.cancel("client closed", null);
    }
    scheduler.shutdownNow();
    if (ownsChannel) {
      channel.shutdownNow();
    }
  }

  /** Names of the subscribed types (for diagnostics). */
  public List<String> types() {
    return new ArrayList<>(subscriptions.keySet());
  }
}
