package dev.ambit.cli;

import dev.ambit.proto.client.ControlPlaneAuth;
import dev.ambit.proto.client.ControlPlaneCredentials;
import dev.ambit.proto.client.ServiceAccountTokenCredentials;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * How a proxy authenticates to the control plane's xDS/CA port: {@code --credentials DIR} (a node
 * credential, local mode) or {@code --ca-token-file} with {@code --ca-root} (a service-account
 * token, Kubernetes mode).
 */
final class ControlPlaneAuthOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(
      names = "--credentials",
      paramLabel = "DIR",
      description =
          "Node credential directory (cert-chain.pem, key.pem, root-cert.pem): mutual TLS to the"
              + " control plane.")
  Path credentials;

  @Option(
      names = "--ca-token-file",
      paramLabel = "PATH",
      description =
          "Service-account token presented to the control plane as 'authorization: Bearer',"
              + " read again for every call (Kubernetes mode; needs --ca-root).")
  Path tokenFile;

  @Option(
      names = "--ca-root",
      paramLabel = "PATH",
      description =
          "Mesh root certificate (PEM) the control plane's serving certificate must chain to"
              + " (with --ca-token-file).")
  Path root;

  ControlPlaneAuth resolve() {
    if (credentials != null) {
      if (tokenFile != null || root != null) {
        throw usage("--credentials cannot be combined with --ca-token-file or --ca-root");
      }
      return ControlPlaneCredentials.fromDirectory(credentials);
    }
    if (tokenFile == null || root == null) {
      throw usage("either --credentials DIR or both --ca-token-file PATH and --ca-root PATH");
    }
    return new ServiceAccountTokenCredentials(tokenFile, root);
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
