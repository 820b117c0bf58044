package dev.ambit.cli;

import dev.ambit.control.ControlPlane;
import dev.ambit.kube.KubeControlPlane;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The Kubernetes-mode options of {@code ambit control}: with {@code --kube} the configuration comes
 * from the Kubernetes API (in-cluster service account, or {@code --kubeconfig}, or the usual
 * kubeconfig lookup) instead of the management API.
 */
final class KubeOptions {

  @Option(
      names = "--kube",
      description =
          "Kubernetes mode: read the mesh configuration from the Kubernetes API, accept service-account tokens at the CA and deploy waypoints.")
  boolean enabled;

  @Option(
      names = "--kubeconfig",
      paramLabel = "PATH",
      description =
          "kubeconfig file (default: in-cluster config, then $KUBECONFIG, ~/.kube/config).")
  Path kubeconfig;

  @Option(
      names = "--token-audience",
      description = "Audience service-account tokens must carry (default: ${DEFAULT-VALUE}).",
      defaultValue = "istio-ca")
  String tokenAudience;

  @Option(
      names = "--node-account",
      paramLabel = "NAMESPACE/NAME",
      split = ",",
      description =
          "Service accounts that may act for their node at the CA (default: ${DEFAULT-VALUE}).",
      defaultValue = "istio-system/ztunnel")
  List<String> nodeAccounts;

  @Option(
      names = "--waypoint-image",
      description = "Image of waypoint Deployments (default: ${DEFAULT-VALUE}).",
      defaultValue = "ambit/waypoint:latest")
  String waypointImage;

  @Option(
      names = "--namespace",
      description =
          "Namespace the control plane runs in: its Service ambit-control there is the xDS/CA"
              + " address given to waypoints (default: $POD_NAMESPACE, else istio-system).",
      defaultValue = "${env:POD_NAMESPACE:-istio-system}")
  String namespace;

  @Option(
      names = "--root-config-map",
      description =
          "ConfigMap the mesh root certificate is published in, key root-cert.pem (default:"
              + " ${DEFAULT-VALUE}).",
      defaultValue = KubeControlPlane.Options.DEFAULT_ROOT_CONFIG_MAP)
  String rootConfigMap;

  @Option(
      names = "--leader-election",
      description =
          "Elect a leader among control-plane replicas with the Lease ambit-control in --namespace:"
              + " only the leader deploys waypoints, writes status and publishes the root; every"
              + " replica serves xDS and the CA.")
  boolean leaderElection;

  @Option(
      names = "--leader-id",
      description =
          "This replica's name in the election (default: $POD_NAME, else ${DEFAULT-VALUE}).",
      defaultValue = "${env:POD_NAME:-ambit-control}")
  String leaderId;

  @Option(
      names = "--cluster-id",
      description =
          "Cluster name in workload uids (<cluster>//Pod/<ns>/<name>) and the workloads' cluster"
              + " id (default: ${DEFAULT-VALUE}).",
      defaultValue = KubeControlPlane.Options.DEFAULT_CLUSTER_ID)
  String clusterId;

  /** Refuses options that cannot work, with a usage error. */
  void check(CommandLine commandLine) {
    if (kubeconfig != null && !enabled) {
      throw new ParameterException(commandLine, "--kubeconfig needs --kube");
    }
    if (kubeconfig != null && !Files.isReadable(kubeconfig)) {
      throw new ParameterException(commandLine, "cannot read --kubeconfig " + kubeconfig);
    }
  }

  /** Starts the control plane in Kubernetes mode; closing it also closes the client. */
  AutoCloseable start(ControlPlane.Options control) {
    Config config =
        kubeconfig == null
            ? Config.autoConfigure(null)
            : Config.fromKubeconfig(kubeconfig.toFile());
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    try {
      KubeControlPlane.Options defaults = KubeControlPlane.Options.defaults(control);
      KubeControlPlane.Options options =
          new KubeControlPlane.Options(
              control,
              tokenAudience,
              Set.copyOf(nodeAccounts),
              defaults.resync(),
              waypointImage,
              Duration.ofMinutes(2),
              namespace,
              rootConfigMap,
              clusterId,
              null);
      KubeControlPlane kube =
          KubeControlPlane.start(client, leaderElection ? options.electing(leaderId) : options);
      return () -> {
        kube.close();
        client.close();
      };
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }
}
