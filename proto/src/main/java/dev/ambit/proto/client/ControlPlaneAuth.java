package dev.ambit.proto.client;

import io.grpc.ManagedChannel;
import java.nio.file.Path;

/**
 * How a proxy proves who it is to the control plane's xDS/CA port, and how it recognises the
 * control plane: a node credential ({@link ControlPlaneCredentials}, mutual TLS) or a
 * service-account token ({@link ServiceAccountTokenCredentials}, server-authenticated TLS plus
 * {@code authorization: Bearer}).
 */
public interface ControlPlaneAuth {

  /** A channel to {@code target} ("host:port") authenticated this way. */
  ManagedChannel channel(String target);

  /** The mesh root (PEM): the control plane's serving certificate chains to it. */
  Path root();
}
