package dev.ambit.control.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ambit.control.server.ControlFixture;
import dev.ambit.proto.client.CaClient;
import dev.ambit.proto.client.ControlPlaneCredentials;
import dev.ambit.transport.identity.CertificateIssuer;
import dev.ambit.transport.identity.Pem;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaServiceTest {

  private static final String CURL = "spiffe://cluster.local/ns/default/sa/curl";

  @TempDir Path dir;
  private ControlFixture control;

  @BeforeEach
  void start() {
    // node1 runs default/curl; nothing else runs anywhere.
    control =
        new ControlFixture(
            dir,
            (node, id) ->
                node.equals("node1") && id.uri().equals(CURL)
                    ? null
                    : "no pod with service account "
                        + id.serviceAccount()
                        + " in namespace "
                        + id.namespace()
                        + " is scheduled on "
                        + node);
  }

  @AfterEach
  void stop() {
    control.close();
  }

  @Test
  void nodeObtainsTheIdentityOfItsOwnPod() {
    try (CaClient client = new CaClient(control.target(), control.node("node1"))) {
      List<String> pems =
          client.createCertificate(
              TestCerts.csr(CertificateIssuer.newKeyPair()), CURL, Duration.ofHours(1));

      List<X509Certificate> chain = pems.stream().map(p -> Pem.certificates(p).getFirst()).toList();
      assertThat(chain).hasSize(2);
      assertThat(chain.getLast()).isEqualTo(control.ca.root());
      assertThat(pems.getFirst()).startsWith("-----BEGIN CERTIFICATE-----");
      assertThat(chain.getFirst().getNotAfter().toInstant())
          .isBefore(java.time.Instant.now().plus(Duration.ofMinutes(61)));
    }
    assertThat(control.metrics.render()).contains("citadel_server_success_cert_issuance_count 1");
  }

  @Test
  void nodeIsRefusedTheIdentityOfAPodOnAnotherNode() {
    try (CaClient client = new CaClient(control.target(), control.node("node2"))) {
      assertThatThrownBy(
              () ->
                  client.createCertificate(
                      TestCerts.csr(CertificateIssuer.newKeyPair()), CURL, Duration.ZERO))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                assertThat(e.getStatus().getDescription())
                    .isEqualTo(
                        "node node2 may not obtain "
                            + CURL
                            + ": no pod with service account curl in namespace default is scheduled on node2");
              });
    }
    assertThat(control.metrics.render()).contains("citadel_server_authentication_failure_count 1");
  }

  @Test
  void identityOutsideTheTrustDomainIsRefused() {
    try (CaClient client = new CaClient(control.target(), control.node("node1"))) {
      assertThatThrownBy(
              () ->
                  client.createCertificate(
                      TestCerts.csr(CertificateIssuer.newKeyPair()),
                      "spiffe://other.org/ns/default/sa/curl",
                      Duration.ZERO))
          .hasMessageContaining("PERMISSION_DENIED")
          .hasMessageContaining("is not in trust domain cluster.local");
    }
  }

  @Test
  void callerWithoutANodeCredentialIsUnauthenticated() {
    // A workload certificate chains to the same root but is not a node credential.
    Path d = dir.resolve("workload");
    var cred = control.ca.issueServerCredential(List.of("x"), List.of(), Duration.ofHours(1));
    new IssuedCredential(cred.key(), cred.chain(), cred.root()).writeTo(d);
    try (CaClient client =
        new CaClient(control.target(), ControlPlaneCredentials.fromDirectory(d))) {
      assertThatThrownBy(
              () ->
                  client.createCertificate(
                      TestCerts.csr(CertificateIssuer.newKeyPair()), CURL, Duration.ZERO))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }
  }
}
