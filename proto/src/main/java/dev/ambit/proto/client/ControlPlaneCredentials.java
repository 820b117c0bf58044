package dev.ambit.proto.client;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A node credential as written by the control plane into a directory: {@code cert-chain.pem} (leaf
 * first), {@code key.pem} (PKCS#8) and {@code root-cert.pem} (the mesh root). Used as the TLS
 * client certificate towards the control plane's xDS/CA port, whose serving certificate is verified
 * against {@code root-cert.pem} under the name {@link #AUTHORITY}.
 */
public record ControlPlaneCredentials(Path certChain, Path key, Path root)
    implements ControlPlaneAuth {

  /** DNS name in the control plane's serving certificate; used as TLS authority by clients. */
  public static final String AUTHORITY = "ambit-control.istio-system.svc";

  public static ControlPlaneCredentials fromDirectory(Path dir) {
    return new ControlPlaneCredentials(
        dir.resolve("cert-chain.pem"), dir.resolve("key.pem"), dir.resolve("root-cert.pem"));
  }

  public ChannelCredentials channelCredentials() {
    try {
      return TlsChannelCredentials.newBuilder()
          .keyManager(certChain.toFile(), key.toFile())
          .trustManager(root.toFile())
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read control plane credentials " + certChain, e);
    }
  }

  /** A channel to {@code target} ("host:port") authenticated with this credential. */
  @Override
  public ManagedChannel channel(String target) {
    return Grpc.newChannelBuilder(target, channelCredentials())
        .overrideAuthority(AUTHORITY)
        .build();
  }
}
