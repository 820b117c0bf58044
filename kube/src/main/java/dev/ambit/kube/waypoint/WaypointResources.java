package dev.ambit.kube.waypoint;

import dev.ambit.control.state.Labels;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes objects that run a waypoint Gateway: a ServiceAccount, a Deployment and a Service,
 * all named like the Gateway and owned by it (ownerReferences, so the garbage collector removes
 * them with it), labelled {@code gateway.networking.k8s.io/gateway-name} and {@code
 * gateway.istio.io/managed}.
 */
final class WaypointResources {

  static final int HBONE = 15008;
  static final int STATUS = 15021;
  static final int METRICS = 15020;
  static final String TOKEN_DIR = "/var/run/secrets/tokens";
  static final String TOKEN_FILE = "istio-token";
  static final String ROOT_DIR = "/var/run/secrets/ambit-ca";
  static final String ROOT_FILE = "root-cert.pem";

  private WaypointResources() {}

  static Map<String, String> labels(GenericKubernetesResource gw) {
    Map<String, String> labels = new HashMap<>(infrastructure(gw, "labels"));
    labels.put(Labels.GATEWAY_NAME, gw.getMetadata().getName());
    labels.put(Labels.MANAGED, Labels.MANAGED_VALUE);
    return labels;
  }

  static Map<String, String> selector(GenericKubernetesResource gw) {
    return Map.of(Labels.GATEWAY_NAME, gw.getMetadata().getName());
  }

  /** Replicas asked for with the annotation {@code ambit.dev/replicas} (default 1). */
  static int replicas(GenericKubernetesResource gw) {
    String value =
        Optional.ofNullable(gw.getMetadata().getAnnotations())
            .map(a -> a.get(Labels.REPLICAS))
            .orElse(null);
    if (value == null) {
      return 1;
    }
    try {
      return Math.max(0, Integer.parseInt(value.trim()));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  static OwnerReference owner(GenericKubernetesResource gw) {
    return new OwnerReferenceBuilder()
        .withApiVersion(gw.getApiVersion())
        .withKind("Gateway")
        .withName(gw.getMetadata().getName())
        .withUid(gw.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  static ServiceAccount serviceAccount(GenericKubernetesResource gw) {
    return new ServiceAccountBuilder()
        .withNewMetadata()
        .withName(gw.getMetadata().getName())
        .withNamespace(gw.getMetadata().getNamespace())
        .withLabels(labels(gw))
        .withOwnerReferences(owner(gw))
        .endMetadata()
        .build();
  }

  static Service service(GenericKubernetesResource gw) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(gw.getMetadata().getName())
        .withNamespace(gw.getMetadata().getNamespace())
        .withLabels(labels(gw))
        .withOwnerReferences(owner(gw))
        .endMetadata()
        .withNewSpec()
        .withSelector(selector(gw))
        .withPorts(
            new ServicePortBuilder().withName("mesh").withPort(HBONE).build(),
            new ServicePortBuilder().withName("status-port").withPort(STATUS).build(),
            new ServicePortBuilder().withName("metrics").withPort(METRICS).build())
        .endSpec()
        .build();
  }

  /**
   * The Deployment; {@code replicas} null leaves the count to whoever scales it. The waypoint
   * authenticates to the control plane with a projected service-account token ({@value
   * #TOKEN_DIR}/{@value #TOKEN_FILE}, audience from the template) and verifies it with the mesh
   * root from the ConfigMap the control plane publishes ({@value #ROOT_DIR}/{@value #ROOT_FILE}).
   */
  static Deployment deployment(
      GenericKubernetesResource gw, WaypointTemplate template, Integer replicas) {
    Map<String, String> podLabels = labels(gw);
    podLabels.put(Labels.DATAPLANE_MODE, Labels.NONE);
    String name = gw.getMetadata().getName();
    String ns = gw.getMetadata().getNamespace();
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ns)
        .withLabels(labels(gw))
        .withOwnerReferences(owner(gw))
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector()
        .withMatchLabels(selector(gw))
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(podLabels)
        .withAnnotations(infrastructure(gw, "annotations"))
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName(name)
        .withAutomountServiceAccountToken(false)
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(1337L)
        .withRunAsGroup(1337L)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .addNewContainer()
        .withName("waypoint")
        .withImage(template.image())
        .withArgs(
            List.of(
                "waypoint-proxy",
                "--name",
                name,
                "--namespace",
                ns,
                "--node",
                "$(NODE_NAME)",
                "--xds",
                template.xdsAddress(),
                "--ca-token-file",
                TOKEN_DIR + "/" + TOKEN_FILE,
                "--ca-root",
                ROOT_DIR + "/" + ROOT_FILE,
                "--trust-domain",
                template.trustDomain()))
        .withEnv(
            new EnvVarBuilder()
                .withName("NODE_NAME")
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("spec.nodeName")
                .endFieldRef()
                .endValueFrom()
                .build())
        .addNewPort()
        .withName("mesh")
        .withContainerPort(HBONE)
        .endPort()
        .addNewPort()
        .withName("status-port")
        .withContainerPort(STATUS)
        .endPort()
        .addNewPort()
        .withName("metrics")
        .withContainerPort(METRICS)
        .endPort()
        .withNewReadinessProbe()
        .withNewHttpGet()
        .withPath("/healthz/ready")
        .withNewPort(METRICS)
        .endHttpGet()
        .withPeriodSeconds(5)
        .endReadinessProbe()
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .withVolumeMounts(
            new VolumeMountBuilder()
                .withName("ca-token")
                .withMountPath(TOKEN_DIR)
                .withReadOnly(true)
                .build(),
            new VolumeMountBuilder()
                .withName("ca-root")
                .withMountPath(ROOT_DIR)
                .withReadOnly(true)
                .build(),
            new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build())
        .endContainer()
        .withVolumes(
            new VolumeBuilder()
                .withName("ca-token")
                .withNewProjected()
                .addNewSource()
                .withNewServiceAccountToken()
                .withPath(TOKEN_FILE)
                .withAudience(template.tokenAudience())
                .withExpirationSeconds(43200L)
                .endServiceAccountToken()
                .endSource()
                .endProjected()
                .build(),
            new VolumeBuilder()
                .withName("ca-root")
                .withNewConfigMap()
                .withName(template.rootConfigMap())
                .endConfigMap()
                .build(),
            new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build())
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> infrastructure(GenericKubernetesResource gw, String field) {
    Object spec = gw.getAdditionalProperties().get("spec");
    Object infra = spec instanceof Map<?, ?> m ? m.get("infrastructure") : null;
    Object values = infra instanceof Map<?, ?> m ? m.get(field) : null;
    Map<String, String> out = new HashMap<>();
    if (values instanceof Map<?, ?> v) {
      ((Map<String, Object>) v).forEach((k, val) -> out.put(k, String.valueOf(val)));
    }
    return out;
  }
}
