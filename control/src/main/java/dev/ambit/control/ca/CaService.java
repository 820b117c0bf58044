package dev.ambit.control.ca;

import com.google.protobuf.Value;
import dev.ambit.control.metrics.ControlMetrics;
import dev.ambit.control.server.CallerNode;
import dev.ambit.proto.ca.IstioCertificateRequest;
import dev.ambit.proto.ca.IstioCertificateResponse;
import dev.ambit.proto.ca.IstioCertificateServiceGrpc;
import dev.ambit.transport.identity.Pem;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code istio.v1.auth.IstioCertificateService/CreateCertificate}: a node asks for the identity of
 * one of its workloads (metadata {@code ImpersonatedIdentity} = SPIFFE id); the certificate is
 * issued only when a workload with that identity is scheduled on the calling node. A caller that
 * authenticated as a single workload ({@link CallerNode#onlyIdentity()}, e.g. a waypoint) obtains
 * only its own identity.
 */
public final class CaService extends IstioCertificateServiceGrpc.IstioCertificateServiceImplBase {

  public static final String IMPERSONATED_IDENTITY = "ImpersonatedIdentity";
  private static final Logger log = LoggerFactory.getLogger(CaService.class);

  private final CertificateAuthority ca;
  private final NodeAuthorizer authorizer;
  private final ControlMetrics metrics;

  public CaService(CertificateAuthority ca, NodeAuthorizer authorizer, ControlMetrics metrics) {
    this.ca = ca;
    this.authorizer = authorizer;
    this.metrics = metrics;
  }

  @Override
  public void createCertificate(
      IstioCertificateRequest request, StreamObserver<IstioCertificateResponse> response) {
    metrics.csrReceived();
    String node = CallerNode.current();
    Value asked = request.getMetadata().getFieldsMap().get(IMPERSONATED_IDENTITY);
    String uri = asked == null ? "" : asked.getStringValue();
    var id = Identities.parseWorkload(uri);
    String refusal;
    if (id.isEmpty()) {
      refusal =
          "metadata " + IMPERSONATED_IDENTITY + " must be a SPIFFE workload id, got '" + uri + "'";
    } else if (!id.get().trustDomain().equals(ca.trustDomain())) {
      refusal = uri + " is not in trust domain " + ca.trustDomain();
    } else {
      refusal =
          CallerNode.onlyIdentity()
              .map(only -> only.equals(id.get()) ? null : "it may obtain only " + only.uri())
              .orElseGet(() -> authorizer.refusal(node, id.get()));
    }
    if (refusal != null) {
      metrics.csrDenied();
      log.warn("refused certificate for {} to node {}: {}", uri, node, refusal);
      response.onError(
          Status.PERMISSION_DENIED
              .withDescription("node " + node + " may not obtain " + uri + ": " + refusal)
              .asRuntimeException());
      return;
    }
    List<X509Certificate> chain;
    try {
      chain = ca.signCsr(request.getCsr(), uri, Duration.ofSeconds(request.getValidityDuration()));
    } catch (IllegalArgumentException e) {
      metrics.csrError();
      log.warn("bad CSR from node {} for {}: {}", node, uri, e.getMessage());
      response.onError(
          Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    metrics.certIssued();
    log.info(
        "issued certificate for {} to node {} (expires {})",
        uri,
        node,
        chain.getFirst().getNotAfter().toInstant());
    IstioCertificateResponse.Builder out = IstioCertificateResponse.newBuilder();
    chain.forEach(c -> out.addCertChain(Pem.encode(c)));
    response.onNext(out.build());
    response.onCompleted();
  }
}
