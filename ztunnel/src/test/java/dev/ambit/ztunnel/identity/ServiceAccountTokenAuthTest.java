package dev.ambit.ztunnel.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ambit.control.ca.CaLoader;
import dev.ambit.control.ca.CaService;
import dev.ambit.control.ca.CertificateAuthority;
import dev.ambit.control.ca.Identities;
import dev.ambit.control.metrics.ControlMetrics;
import dev.ambit.control.server.SecureGrpcServer;
import dev.ambit.control.xds.DeltaAdsService;
import dev.ambit.control.xds.XdsPublisher;
import dev.ambit.proto.client.CaClient;
import dev.ambit.proto.client.ServiceAccountTokenCredentials;
import dev.ambit.proto.client.TypeUrls;
import dev.ambit.proto.client.XdsClient;
import dev.ambit.proto.workload.Address;
import dev.ambit.transport.identity.CertificateIssuer;
import dev.ambit.transport.identity.Pem;
import dev.ambit.transport.identity.SpiffeId;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxies' Kubernetes-mode client side against the control plane's real xDS/CA server (TLS,
 * {@code CallerNode}, {@code CaService}, {@code DeltaAdsService}): the service-account token is
 * read from its file for every call and sent as {@code authorization: Bearer}, and a server whose
 * certificate does not chain to the configured root gets no token at all.
 */
class ServiceAccountTokenAuthTest {

  private static final String TRUST_DOMAIN = "cluster.local";
  private static final String CURL = "spiffe://cluster.local/ns/shop/sa/curl";

  @TempDir Path dir;

  /** Tokens as the server's authenticator received them, in order. */
  private final List<String> received = new CopyOnWriteArrayList<>();

  private final Map<String, String> nodeOfToken = Map.of("token-a", "node-a", "token-b", "node-b");
  private CertificateAuthority ca;
  private SecureGrpcServer server;
  private Path tokenFile;
  private Path root;

  @BeforeEach
  void startControlPlaneServer() throws Exception {
    ca =
        new CertificateAuthority(
            CaLoader.loadOrCreateRoot(dir.resolve("ca"), TRUST_DOMAIN),
            TRUST_DOMAIN,
            Duration.ofHours(24),
            Clock.systemUTC());
    ControlMetrics metrics = new ControlMetrics();
    server =
        new SecureGrpcServer(
            new InetSocketAddress("127.0.0.1", 0),
            ca.issueServerCredential(
                List.of(Identities.CONTROL_DNS_NAME), List.of("127.0.0.1"), Duration.ofHours(1)),
            TRUST_DOMAIN,
            List.of(
                new CaService(
                    ca,
                    (node, id) ->
                        node.equals("node-a") && id.serviceAccount().equals("curl")
                            ? null
                            : "no pod with service account "
                                + id.serviceAccount()
                                + " is scheduled on node "
                                + node,
                    metrics),
                new DeltaAdsService(new XdsPublisher(), metrics)),
            token -> {
              received.add(token);
              String node = nodeOfToken.get(token);
              if (node == null) {
                throw Status.UNAUTHENTICATED.withDescription("token rejected").asRuntimeException();
              }
              return node;
            });
    tokenFile = dir.resolve("istio-token");
    root = dir.resolve("ca").resolve("root-cert.pem");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private String target() {
    return "127.0.0.1:" + server.port();
  }

  private static String csr() {
    return CertificateIssuer.csr(CertificateIssuer.newKeyPair(), SpiffeId.parse(CURL));
  }

  @Test
  void sendsTheTokenFromTheFileAndReadsItAgainAfterRotation() throws Exception {
    Files.writeString(tokenFile, "token-a\n");
    try (CaClient client =
        new CaClient(target(), new ServiceAccountTokenCredentials(tokenFile, root))) {
      List<String> chain = client.createCertificate(csr(), CURL, Duration.ofHours(1));
      X509Certificate leaf = Pem.certificates(chain.getFirst()).getFirst();
      List<Object> names =
          leaf.getSubjectAlternativeNames().stream().map(n -> (Object) n.get(1)).toList();
      assertThat(names).contains(CURL);
      assertThat(received).containsExactly("token-a");

      Files.writeString(tokenFile, "token-b\n");
      assertThatThrownBy(() -> client.createCertificate(csr(), CURL, Duration.ofHours(1)))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                assertThat(e.getStatus().getDescription())
                    .isEqualTo(
                        "node node-b may not obtain "
                            + CURL
                            + ": no pod with service account curl is scheduled on node node-b");
              });
      assertThat(received).containsExactly("token-a", "token-b");

      Files.writeString(tokenFile, "forged");
      assertThatThrownBy(() -> client.createCertificate(csr(), CURL, Duration.ofHours(1)))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                assertThat(e.getStatus().getDescription()).isEqualTo("token rejected");
              });
      assertThat(received).containsExactly("token-a", "token-b", "forged");
    }
  }

  @Test
  void aMissingTokenFileFailsTheCallWithoutContactingTheAuthenticator() throws Exception {
    try (CaClient client =
        new CaClient(target(), new ServiceAccountTokenCredentials(tokenFile, root))) {
      assertThatThrownBy(() -> client.createCertificate(csr(), CURL, Duration.ofHours(1)))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                assertThat(e.getStatus().getDescription())
                    .startsWith("cannot read token file " + tokenFile);
              });
    }
    assertThat(received).isEmpty();
  }

  @Test
  void refusesAControlPlaneWhoseCertificateDoesNotChainToTheRoot() throws Exception {
    Files.writeString(tokenFile, "token-a");
    CaLoader.loadOrCreateRoot(dir.resolve("other"), TRUST_DOMAIN);
    Path otherRoot = dir.resolve("other").resolve("root-cert.pem");
    try (CaClient client =
        new CaClient(target(), new ServiceAccountTokenCredentials(tokenFile, otherRoot))) {
      assertThatThrownBy(() -> client.createCertificate(csr(), CURL, Duration.ofHours(1)))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }
    assertThat(received).isEmpty();
  }

  @Test
  void theXdsStreamIsAuthenticatedWithTheToken() throws Exception {
    Files.writeString(tokenFile, "token-a");
    try (XdsClient xds =
        XdsClient.builder(target(), new ServiceAccountTokenCredentials(tokenFile, root))
            .nodeId("ztunnel~node-a")
            .subscribe(TypeUrls.ADDRESS, Address.class, (upserts, removals) -> {})
            .build()) {
      xds.start();
      assertThat(xds.awaitSynced(Duration.ofSeconds(10))).isTrue();
    }
    assertThat(received).containsExactly("token-a");
  }
}
