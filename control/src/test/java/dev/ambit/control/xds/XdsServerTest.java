package dev.ambit.control.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.ByteString;
import dev.ambit.control.server.ControlFixture;
import dev.ambit.proto.client.ControlPlaneCredentials;
import dev.ambit.proto.client.TypeUrls;
import dev.ambit.proto.client.XdsClient;
import dev.ambit.proto.discovery.AggregatedDiscoveryServiceGrpc;
import dev.ambit.proto.discovery.DeltaDiscoveryRequest;
import dev.ambit.proto.discovery.DeltaDiscoveryResponse;
import dev.ambit.proto.discovery.Node;
import dev.ambit.proto.discovery.Resource;
import dev.ambit.proto.discovery.Status;
import dev.ambit.proto.security.Action;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.workload.Address;
import dev.ambit.proto.workload.Workload;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class XdsServerTest {

  @TempDir Path dir;
  private ControlFixture control;
  private ManagedChannel channel;
  private final Map<String, Address> addresses = new HashMap<>();
  private final Map<String, Authorization> policies = new HashMap<>();
  private long version;

  @BeforeEach
  void start() {
    control = new ControlFixture(dir, (n, id) -> null);
    channel = control.node("node1").channel(control.target());
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    control.close();
  }

  private static Address workload(String ns, String name, String ip) {
    return Address.newBuilder()
        .setWorkload(
            Workload.newBuilder()
                .setUid("local//Pod/" + ns + "/" + name)
                .setName(name)
                .setNamespace(ns)
                .addAddresses(ByteString.copyFrom(java.net.InetAddress.ofLiteral(ip).getAddress())))
        .build();
  }

  private static Authorization policy(String ns, String name, Action action) {
    return Authorization.newBuilder().setName(name).setNamespace(ns).setAction(action).build();
  }

  private void publish() {
    Map<String, XdsResource> a = new HashMap<>();
    addresses.forEach((k, v) -> a.put(k, XdsResource.of(k, v)));
    Map<String, XdsResource> p = new HashMap<>();
    policies.forEach((k, v) -> p.put(k, XdsResource.of(k, v)));
    control.publisher.publish(
        new XdsSnapshot(
            ++version, System.nanoTime(), Map.of(TypeUrls.ADDRESS, a, TypeUrls.AUTHORIZATION, p)));
  }

  /** A raw delta ADS stream recording every response. */
  private final class RawStream implements StreamObserver<DeltaDiscoveryResponse> {
    final BlockingQueue<DeltaDiscoveryResponse> responses = new LinkedBlockingQueue<>();
    final StreamObserver<DeltaDiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel).deltaAggregatedResources(this);

    void subscribe(String type, Map<String, String> initial) {
      requests.onNext(
          DeltaDiscoveryRequest.newBuilder()
              .setNode(Node.newBuilder().setId("test~node1"))
              .setTypeUrl(type)
              .addResourceNamesSubscribe("*")
              .putAllInitialResourceVersions(initial)
              .build());
    }

    DeltaDiscoveryResponse next() throws InterruptedException {
      DeltaDiscoveryResponse r = responses.poll(10, TimeUnit.SECONDS);
      assertThat(r).as("a response within 10 s").isNotNull();
      return r;
    }

    void ack(DeltaDiscoveryResponse r) {
      requests.onNext(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(r.getTypeUrl())
              .setResponseNonce(r.getNonce())
              .build());
    }

    @Override
    public void onNext(DeltaDiscoveryResponse value) {
      responses.add(value);
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }

  private static List<String> names(DeltaDiscoveryResponse r) {
    return r.getResourcesList().stream().map(Resource::getName).sorted().toList();
  }

  @Test
  void subscribeGetsSnapshotThenOnlyTheChangedPolicy() throws Exception {
    addresses.put("local//Pod/default/a", workload("default", "a", "10.241.1.2"));
    addresses.put("local//Pod/default/b", workload("default", "b", "10.241.1.3"));
    policies.put("default/p1", policy("default", "p1", Action.ALLOW));
    policies.put("default/p2", policy("default", "p2", Action.DENY));
    publish();
    RawStream s = new RawStream();

    s.subscribe(TypeUrls.AUTHORIZATION, Map.of());
    DeltaDiscoveryResponse first = s.next();
    assertThat(first.getTypeUrl()).isEqualTo(TypeUrls.AUTHORIZATION);
    assertThat(names(first)).containsExactly("default/p1", "default/p2");
    assertThat(first.getResources(0).getResource().unpack(Authorization.class).getNamespace())
        .isEqualTo("default");
    s.ack(first);

    policies.put("default/p2", policy("default", "p2", Action.ALLOW));
    addresses.put("local//Pod/default/c", workload("default", "c", "10.241.1.4"));
    publish();

    DeltaDiscoveryResponse update = s.next();
    assertThat(update.getNonce()).isNotEqualTo(first.getNonce());
    assertThat(names(update)).containsExactly("default/p2");
    assertThat(update.getResources(0).getResource().unpack(Authorization.class).getAction())
        .isEqualTo(Action.ALLOW);
    assertThat(update.getRemovedResourcesList()).isEmpty();
    // not subscribed to addresses: nothing else arrives
    s.ack(update);
    assertThat(s.responses.poll(300, TimeUnit.MILLISECONDS)).isNull();
    assertThat(control.metrics.render()).contains("pilot_xds_pushes{type=\"Authorization\"} 2");
  }

  @Test
  void deletedPodIsSentAsRemoval() throws Exception {
    addresses.put("local//Pod/default/a", workload("default", "a", "10.241.1.2"));
    addresses.put("local//Pod/default/b", workload("default", "b", "10.241.1.3"));
    publish();
    RawStream s = new RawStream();
    s.subscribe(TypeUrls.ADDRESS, Map.of());
    s.ack(s.next());

    addresses.remove("local//Pod/default/b");
    publish();

    DeltaDiscoveryResponse r = s.next();
    assertThat(r.getResourcesList()).isEmpty();
    assertThat(r.getRemovedResourcesList()).containsExactly("local//Pod/default/b");
  }

  @Test
  void nackIsLoggedAndCounted() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(XdsStream.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      policies.put("default/p1", policy("default", "p1", Action.ALLOW));
      publish();
      RawStream s = new RawStream();
      s.subscribe(TypeUrls.AUTHORIZATION, Map.of());
      DeltaDiscoveryResponse r = s.next();

      s.requests.onNext(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(TypeUrls.AUTHORIZATION)
              .setResponseNonce(r.getNonce())
              .setErrorDetail(
                  Status.newBuilder().setCode(3).setMessage("unsupported match in default/p1"))
              .build());

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(appender.list)
                      .anySatisfy(
                          e ->
                              assertThat(e.getFormattedMessage())
                                  .contains("rejected Authorization nonce " + r.getNonce())
                                  .contains("unsupported match in default/p1")));
      assertThat(control.metrics.render())
          .contains("pilot_total_xds_rejects{type=\"Authorization\"} 1");
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void reconnectWithInitialVersionsGetsOnlyTheDifference() throws Exception {
    addresses.put("local//Pod/default/a", workload("default", "a", "10.241.1.2"));
    addresses.put("local//Pod/default/b", workload("default", "b", "10.241.1.3"));
    publish();
    RawStream first = new RawStream();
    first.subscribe(TypeUrls.ADDRESS, Map.of());
    DeltaDiscoveryResponse snapshot = first.next();
    Map<String, String> held = new HashMap<>();
    snapshot.getResourcesList().forEach(r -> held.put(r.getName(), r.getVersion()));
    first.requests.onCompleted();

    // While disconnected: b changes, a new pod c appears; the client also claims a stale pod z.
    addresses.put("local//Pod/default/b", workload("default", "b", "10.241.1.9"));
    addresses.put("local//Pod/default/c", workload("default", "c", "10.241.1.4"));
    publish();
    held.put("local//Pod/default/z", "stale");

    RawStream second = new RawStream();
    second.subscribe(TypeUrls.ADDRESS, held);
    DeltaDiscoveryResponse r = second.next();

    assertThat(names(r)).containsExactly("local//Pod/default/b", "local//Pod/default/c");
    assertThat(r.getRemovedResourcesList()).containsExactly("local//Pod/default/z");
  }

  @Test
  void xdsClientSyncsAcksAndRecoversStateAfterServerRestart() throws Exception {
    addresses.put("local//Pod/default/a", workload("default", "a", "10.241.1.2"));
    policies.put("default/p1", policy("default", "p1", Action.ALLOW));
    publish();
    ControlPlaneCredentials creds =
        ControlPlaneCredentials.fromDirectory(dir.resolve("nodes/node1"));
    Map<String, Address> seen = new java.util.concurrent.ConcurrentHashMap<>();
    try (XdsClient client =
        XdsClient.builder(control.target(), creds)
            .nodeId("ztunnel~node1")
            .backoff(Duration.ofMillis(50), Duration.ofMillis(200))
            .subscribe(
                TypeUrls.ADDRESS,
                Address.class,
                (up, rm) -> {
                  seen.putAll(up);
                  rm.forEach(seen::remove);
                })
            .subscribe(TypeUrls.AUTHORIZATION, Authorization.class, (up, rm) -> {})
            .build()) {
      client.start();
      assertThat(client.awaitSynced(Duration.ofSeconds(10))).isTrue();
      assertThat(seen).containsOnlyKeys("local//Pod/default/a");
      assertThat(client.resources(TypeUrls.AUTHORIZATION)).containsOnlyKeys("default/p1");

      int port = control.port();
      control.stop();
      addresses.remove("local//Pod/default/a");
      addresses.put("local//Pod/default/b", workload("default", "b", "10.241.1.3"));
      publish();
      control.start(port);

      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(() -> assertThat(seen).containsOnlyKeys("local//Pod/default/b"));
      assertThat(client.resources(TypeUrls.ADDRESS)).containsOnlyKeys("local//Pod/default/b");
      assertThat(client.resources(TypeUrls.AUTHORIZATION)).containsOnlyKeys("default/p1");
    }
  }

  @Test
  void xdsClientNacksWhatItsHandlerRejects() throws Exception {
    policies.put("default/p1", policy("default", "p1", Action.ALLOW));
    publish();
    try (XdsClient client =
        XdsClient.builder(channel)
            .subscribe(
                TypeUrls.AUTHORIZATION,
                Authorization.class,
                (up, rm) -> {
                  if (up.containsKey("default/bad")) {
                    throw new IllegalArgumentException("cannot use default/bad");
                  }
                })
            .build()) {
      client.start();
      assertThat(client.awaitSynced(Duration.ofSeconds(10))).isTrue();
      policies.put("default/bad", policy("default", "bad", Action.DENY));
      publish();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(control.metrics.render())
                      .contains("pilot_total_xds_rejects{type=\"Authorization\"} 1"));
      assertThat(client.resources(TypeUrls.AUTHORIZATION)).containsOnlyKeys("default/p1");
    }
  }
}
