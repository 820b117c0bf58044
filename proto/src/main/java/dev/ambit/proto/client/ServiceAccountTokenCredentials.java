package dev.ambit.proto.client;

import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Authentication with a service-account token (Kubernetes mode): TLS that verifies the control
 * plane's serving certificate against {@code root} under the name {@link
 * ControlPlaneCredentials#AUTHORITY}, no client certificate, and on every call the gRPC metadata
 * {@code authorization: Bearer <token>} with the token read afresh from {@code tokenFile} (the
 * kubelet rotates projected tokens in place).
 */
public record ServiceAccountTokenCredentials(Path tokenFile, Path root)
    implements ControlPlaneAuth {

  public ChannelCredentials channelCredentials() {
    try {
      return CompositeChannelCredentials.create(
          TlsChannelCredentials.newBuilder().trustManager(root.toFile()).build(),
          new BearerTokenFile(tokenFile));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read control plane root " + root, e);
    }
  }

  @Override
  public ManagedChannel channel(String target) {
    return Grpc.newChannelBuilder(target, channelCredentials())
        .overrideAuthority(ControlPlaneCredentials.AUTHORITY)
        .build();
  }
}
