package dev.ambit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ambit.control.ControlPlane;
import dev.ambit.control.state.Labels;
import dev.ambit.proto.client.CaClient;
import dev.ambit.proto.client.ControlPlaneCredentials;
import dev.ambit.proto.client.ServiceAccountTokenCredentials;
import dev.ambit.proto.client.TypeUrls;
import dev.ambit.proto.client.XdsClient;
import dev.ambit.proto.discovery.AggregatedDiscoveryServiceGrpc;
import dev.ambit.proto.discovery.DeltaDiscoveryRequest;
import dev.ambit.proto.discovery.DeltaDiscoveryResponse;
import dev.ambit.proto.discovery.Node;
import dev.ambit.proto.workload.Address;
import dev.ambit.transport.identity.CertificateIssuer;
import dev.ambit.transport.identity.Pem;
import dev.ambit.transport.identity.SpiffeId;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.grpc.CallCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CA in Kubernetes mode: a ztunnel authenticates with its service-account token (checked by a
 * TokenReview, answered here the way the API server's authenticator would) and gets only the
 * identities of pods on its own node.
 */
class TokenAuthenticationTest {

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(TokenAuthenticationTest.class);

  KubernetesMockServer server;
  KubernetesClient client;
  @TempDir Path home;
  private KubeControlPlane kube;
  private final List<TokenReview> reviews = new CopyOnWriteArrayList<>();
  private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            responses,
            new KubernetesMixedDispatcher(responses),
            false);
    server.init();
    client = server.createClient();
    Cluster cluster = new Cluster(client);
    cluster.namespace("shop", Map.of("istio.io/dataplane-mode", "ambient"));
    cluster.namespace("istio-system", Map.of());
    cluster.node("node-a");
    cluster.node("node-b");
    String ztunnelUid =
        cluster
            .pod("istio-system", "ztunnel-a", "ztunnel", "node-a", "192.168.0.10", Map.of())
            .getMetadata()
            .getUid();
    String curlUid =
        cluster.pod("shop", "curl", "curl", "node-b", "10.1.2.7", Map.of()).getMetadata().getUid();
    cluster.pod("shop", "reviews-v1", "reviews", "node-a", "10.1.1.5", Map.of());
    cluster.create(Cluster.GATEWAY, Cluster.WAYPOINT);
    String waypointUid =
        cluster
            .pod(
                "shop",
                "waypoint-7d9f",
                "waypoint",
                "node-a",
                "10.1.1.9",
                Map.of(Labels.GATEWAY_NAME, "waypoint"))
            .getMetadata()
            .getUid();
    // labelled like a waypoint pod, but there is no Gateway "fake" in the namespace
    String fakeUid =
        cluster
            .pod(
                "shop",
                "fake-1",
                "fake",
                "node-a",
                "10.1.1.10",
                Map.of(Labels.GATEWAY_NAME, "fake"))
            .getMetadata()
            .getUid();
    TokenReview wrongNode = accepted("istio-system", "ztunnel", "ztunnel-a", ztunnelUid);
    wrongNode
        .getStatus()
        .getUser()
        .setExtra(
            Map.of(
                "authentication.kubernetes.io/pod-name", List.of("ztunnel-a"),
                "authentication.kubernetes.io/pod-uid", List.of(ztunnelUid),
                "authentication.kubernetes.io/node-name", List.of("node-b")));
    Map<String, TokenReview> answers =
        Map.of(
            "ztunnel-a-token", accepted("istio-system", "ztunnel", "ztunnel-a", ztunnelUid),
            "ztunnel-wrong-node-token", wrongNode,
            "curl-token", accepted("shop", "curl", "curl", curlUid),
            "waypoint-token", accepted("shop", "waypoint", "waypoint-7d9f", waypointUid),
            "fake-token", accepted("shop", "fake", "fake-1", fakeUid));
    server
        .expect()
        .post()
        .withPath("/apis/authentication.k8s.io/v1/tokenreviews")
        .andReply(
            201,
            request -> {
              TokenReview asked =
                  client
                      .getKubernetesSerialization()
                      .unmarshal(request.getUtf8Body(), TokenReview.class);
              reviews.add(asked);
              return answers.getOrDefault(
                  asked.getSpec().getToken(),
                  new TokenReviewBuilder()
                      .withNewStatus()
                      .withAuthenticated(false)
                      .withError("invalid bearer token")
                      .endStatus()
                      .build());
            })
        .always();
    kube =
        KubeControlPlane.start(
            client,
            KubeControlPlane.Options.defaults(
                new ControlPlane.Options(
                    home,
                    new InetSocketAddress("127.0.0.1", 0),
                    new InetSocketAddress("127.0.0.1", 0),
                    "cluster.local",
                    null,
                    Duration.ofHours(24),
                    Duration.ofMillis(50))));
  }

  @AfterEach
  void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    if (kube != null) {
      kube.close();
    }
    // closed before the mock server stops, which waits for its open connections (watches)
    client.close();
    stopMockServer();
  }

  /**
   * The mock API server (third-party test infrastructure, not Ambit) can block its own event loop
   * for seconds when a watch closes while the server is sending that watch an event: its watch
   * listener waits on the event loop for the executor whose send needs that loop. Its close then
   * gives up after 10 s with "Unable to close MockWebServer". The test's assertions have all run by
   * then, so a late close is logged instead of failing the test.
   */
  private void stopMockServer() {
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      LOG.warn("mock API server did not close in time: {}", e.getMessage());
    }
  }

  private static TokenReview accepted(String ns, String sa, String pod, String podUid) {
    return new TokenReviewBuilder()
        .withNewStatus()
        .withAuthenticated(true)
        .withAudiences("istio-ca")
        .withNewUser()
        .withUsername("system:serviceaccount:" + ns + ":" + sa)
        .withExtra(
            Map.of(
                "authentication.kubernetes.io/pod-name", List.of(pod),
                "authentication.kubernetes.io/pod-uid", List.of(podUid)))
        .endUser()
        .endStatus()
        .build();
  }

  /** A CA client that presents no client certificate, only {@code token} (when not null). */
  private CaClient ca(String token) throws java.io.IOException {
    var tls =
        TlsChannelCredentials.newBuilder()
            .trustManager(
                new ByteArrayInputStream(
                    Pem.encode(kube.controlPlane().ca().root())
                        .getBytes(StandardCharsets.US_ASCII)))
            .build();
    var credentials = token == null ? tls : CompositeChannelCredentials.create(tls, bearer(token));
    ManagedChannel channel =
        Grpc.newChannelBuilder("127.0.0.1:" + kube.controlPlane().xdsPort(), credentials)
            .overrideAuthority(ControlPlaneCredentials.AUTHORITY)
            .build();
    channels.add(channel);
    return new CaClient(channel, Duration.ofSeconds(10));
  }

  private static CallCredentials bearer(String token) {
    return new CallCredentials() {
      @Override
      public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier apply) {
        Metadata headers = new Metadata();
        headers.put(
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        apply.apply(headers);
      }
    };
  }

  private static List<String> ask(CaClient ca, String id) {
    var keys = CertificateIssuer.newKeyPair();
    return ca.createCertificate(
        CertificateIssuer.csr(keys, SpiffeId.parse(id)), id, Duration.ofHours(1));
  }

  @Test
  void ztunnelGetsIdentitiesOfPodsOnItsNode() throws Exception {
    List<String> chain = ask(ca("ztunnel-a-token"), "spiffe://cluster.local/ns/shop/sa/reviews");
    assertThat(SpiffeId.fromCertificate(Pem.certificates(chain.getFirst()).getFirst()))
        .contains(SpiffeId.parse("spiffe://cluster.local/ns/shop/sa/reviews"));
    assertThat(reviews).isNotEmpty();
    assertThat(reviews.getFirst().getSpec().getAudiences()).containsExactly("istio-ca");
  }

  @Test
  void identityOfAPodOnAnotherNodeIsRefused() throws Exception {
    CaClient ca = ca("ztunnel-a-token");
    assertThatThrownBy(() -> ask(ca, "spiffe://cluster.local/ns/shop/sa/curl"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
              assertThat(e.getStatus().getDescription())
                  .contains("node node-a may not obtain spiffe://cluster.local/ns/shop/sa/curl")
                  .contains("is scheduled on node node-a");
            });
  }

  @Test
  void tokenDeniedByTokenReviewIsRefused() throws Exception {
    CaClient ca = ca("forged");
    assertThatThrownBy(() -> ask(ca, "spiffe://cluster.local/ns/shop/sa/reviews"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("the service-account token was rejected: invalid bearer token");
            });
  }

  @Test
  void onlyNodeAccountsMayActForANode() throws Exception {
    CaClient ca = ca("curl-token");
    assertThatThrownBy(() -> ask(ca, "spiffe://cluster.local/ns/shop/sa/curl"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo(
                      "service account shop/curl may not act for a node (allowed: "
                          + Set.of("istio-system/ztunnel")
                          + ") and pod shop/curl is not a waypoint");
            });
  }

  @Test
  void tokenNamingAnotherNodeIsRefused() throws Exception {
    CaClient ca = ca("ztunnel-wrong-node-token");
    assertThatThrownBy(() -> ask(ca, "spiffe://cluster.local/ns/shop/sa/reviews"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("the token names node node-b but the pod runs on node-a");
            });
  }

  @Test
  void waypointGetsItsOwnIdentity() throws Exception {
    List<String> chain = ask(ca("waypoint-token"), "spiffe://cluster.local/ns/shop/sa/waypoint");
    assertThat(SpiffeId.fromCertificate(Pem.certificates(chain.getFirst()).getFirst()))
        .contains(SpiffeId.parse("spiffe://cluster.local/ns/shop/sa/waypoint"));
  }

  @Test
  void waypointMayNotObtainAnotherIdentity() throws Exception {
    CaClient ca = ca("waypoint-token");
    // reviews-v1 runs on the waypoint's node: a node account would get it, the waypoint may not
    assertThatThrownBy(() -> ask(ca, "spiffe://cluster.local/ns/shop/sa/reviews"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo(
                      "node node-a may not obtain spiffe://cluster.local/ns/shop/sa/reviews: it"
                          + " may obtain only spiffe://cluster.local/ns/shop/sa/waypoint");
            });
  }

  @Test
  void waypointGetsXds(@TempDir Path dir) throws Exception {
    Path token = Files.writeString(dir.resolve("istio-token"), "waypoint-token");
    Path root =
        Files.writeString(
            dir.resolve("root-cert.pem"), Pem.encode(kube.controlPlane().ca().root()));
    try (XdsClient xds =
        XdsClient.builder(
                "127.0.0.1:" + kube.controlPlane().xdsPort(),
                new ServiceAccountTokenCredentials(token, root))
            .nodeId("waypoint~shop/waypoint~node-a")
            .subscribe(TypeUrls.ADDRESS, Address.class, (u, r) -> {})
            .build()) {
      xds.start();
      assertThat(xds.awaitSynced(Duration.ofSeconds(20))).isTrue();
      assertThat(xds.resources(TypeUrls.ADDRESS)).containsKey("Kubernetes//Pod/shop/reviews-v1");
    }
  }

  @Test
  void waypointGetsNoXdsAsAnotherClient(@TempDir Path dir) throws Exception {
    Path token = Files.writeString(dir.resolve("istio-token"), "waypoint-token");
    Path root =
        Files.writeString(
            dir.resolve("root-cert.pem"), Pem.encode(kube.controlPlane().ca().root()));
    ManagedChannel channel =
        new ServiceAccountTokenCredentials(token, root)
            .channel("127.0.0.1:" + kube.controlPlane().xdsPort());
    channels.add(channel);
    CompletableFuture<Status> ended = new CompletableFuture<>();
    var requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .deltaAggregatedResources(
                new StreamObserver<DeltaDiscoveryResponse>() {
                  @Override
                  public void onNext(DeltaDiscoveryResponse value) {
                    ended.complete(Status.OK.withDescription("got a response"));
                  }

                  @Override
                  public void onError(Throwable t) {
                    ended.complete(Status.fromThrowable(t));
                  }

                  @Override
                  public void onCompleted() {
                    ended.complete(Status.OK);
                  }
                });
    requests.onNext(
        DeltaDiscoveryRequest.newBuilder()
            .setNode(Node.newBuilder().setId("ztunnel~node-a"))
            .setTypeUrl(TypeUrls.ADDRESS)
            .build());
    Status status = ended.get(20, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(status.getDescription())
        .isEqualTo(
            "this caller may only be xDS client waypoint~shop/waypoint~<node>, not"
                + " 'ztunnel~node-a'");
  }

  @Test
  void podLabelledAsAWaypointWithoutItsGatewayIsRefused() throws Exception {
    CaClient ca = ca("fake-token");
    assertThatThrownBy(() -> ask(ca, "spiffe://cluster.local/ns/shop/sa/fake"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
              assertThat(e.getStatus().getDescription())
                  .endsWith("pod shop/fake-1 is not a waypoint");
            });
  }

  @Test
  void callerWithoutTokenOrNodeCredentialIsRefused() throws Exception {
    CaClient ca = ca(null);
    assertThatThrownBy(() -> ask(ca, "spiffe://cluster.local/ns/shop/sa/reviews"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
  }
}
