package dev.ambit.proto.client;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.ambit.proto.ca.IstioCertificateRequest;
import dev.ambit.proto.ca.IstioCertificateServiceGrpc;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Calls the control plane's certificate service as a node (node credential or service-account
 * token, see {@link ControlPlaneAuth}), asking for a workload identity of a pod on that node.
 *
 * <pre>{@code
 * try (CaClient ca = new CaClient("10.240.0.1:15012",
 *     ControlPlaneCredentials.fromDirectory(Path.of("/var/lib/ambit/node1")))) {
 *   List<String> chainPem = ca.createCertificate(csrPem,
 *       "spiffe://cluster.local/ns/default/sa/curl", Duration.ofHours(24));
 * }
 * }</pre>
 *
 * Failures surface as {@link io.grpc.StatusRuntimeException}: {@code PERMISSION_DENIED} when the
 * identity is not one of the node's workloads, {@code INVALID_ARGUMENT} for a bad CSR.
 */
public final class CaClient implements AutoCloseable {

  public static final String IMPERSONATED_IDENTITY = "ImpersonatedIdentity";

  private final ManagedChannel channel;
  private final Duration deadline;

  public CaClient(String target, ControlPlaneAuth credentials) {
    this(credentials.channel(target), Duration.ofSeconds(10));
  }

  public CaClient(ManagedChannel channel, Duration deadline) {
    this.channel = channel;
    this.deadline = deadline;
  }

  /** Returns the PEM certificates, leaf first, root last. Blocks up to the deadline. */
  public List<String> createCertificate(String csrPem, String spiffeId, Duration validity) {
    IstioCertificateRequest request =
        IstioCertificateRequest.newBuilder()
            .setCsr(csrPem)
            .setValidityDuration(validity.toSeconds())
            .setMetadata(
                Struct.newBuilder()
                    .putFields(
                        IMPERSONATED_IDENTITY, Value.newBuilder().setStringValue(spiffeId).build()))
            .build();
    return IstioCertificateServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .createCertificate(request)
        .getCertChainList();
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
