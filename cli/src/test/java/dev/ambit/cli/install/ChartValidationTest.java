package dev.ambit.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rendered chart parses into typed Kubernetes objects with the fields the API server requires,
 * the CRDs have structural schemas, and RBAC grants exactly what the control plane needs.
 */
class ChartValidationTest {
  private static List<HasMetadata> objects;

  @BeforeAll
  static void render() throws Exception {
    objects = new ArrayList<>();
    for (ChartRenderer.Document d : InstallRendering.defaults(Chart.bundled())) {
      objects.add(Serialization.unmarshal(d.yaml()));
    }
  }

  private static <T extends HasMetadata> T one(Class<T> type, String name) {
    return objects.stream()
        .filter(type::isInstance)
        .map(type::cast)
        .filter(o -> o.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }

  @Test
  void everyDocumentIsATypedObjectWithNameAndNamespace() {
    assertThat(objects)
        .extracting(o -> o.getClass().getSimpleName() + "/" + o.getMetadata().getName())
        .containsExactly(
            "CustomResourceDefinition/authorizationpolicies.security.istio.io",
            "CustomResourceDefinition/peerauthentications.security.istio.io",
            "Namespace/ambit-system",
            "ServiceAccount/ambit-control",
            "ServiceAccount/ambit-ztunnel",
            "ServiceAccount/ambit-node-agent",
            "ClusterRole/ambit-control",
            "ClusterRole/ambit-control-waypoints",
            "ClusterRoleBinding/ambit-control",
            "ClusterRoleBinding/ambit-control-waypoints",
            "Role/ambit-control-leader-election",
            "RoleBinding/ambit-control-leader-election",
            "Service/ambit-control",
            "DaemonSet/ambit-node-agent",
            "DaemonSet/ambit-ztunnel",
            "Deployment/ambit-control");
    Set<Class<?>> clusterScoped =
        Set.of(
            CustomResourceDefinition.class,
            Namespace.class,
            ClusterRole.class,
            ClusterRoleBinding.class);
    for (HasMetadata o : objects) {
      assertThat(o.getApiVersion()).as(o.getKind()).isNotBlank();
      assertThat(o.getMetadata().getNamespace())
          .as(o.getKind() + " " + o.getMetadata().getName())
          .isEqualTo(clusterScoped.contains(o.getClass()) ? null : "ambit-system");
    }
  }

  @Test
  void workloadsSelectTheirPodsAndRunTheImages() {
    Deployment control = one(Deployment.class, "ambit-control");
    assertSelects(
        control.getSpec().getSelector().getMatchLabels(),
        control.getSpec().getTemplate().getMetadata().getLabels());
    PodSpec cp = control.getSpec().getTemplate().getSpec();
    assertPodSpec(cp, "ambit/control:0.1.0");
    assertThat(cp.getContainers().getFirst().getArgs())
        .startsWith("control", "--kube")
        .containsSequence("--node-account", "ambit-system/ambit-ztunnel")
        .containsSequence("--token-audience", "istio-ca")
        .containsSequence("--waypoint-image", "ambit/waypoint:0.1.0")
        .containsSequence("--namespace", "ambit-system")
        .containsSequence("--root-config-map", "ambit-ca-root")
        .contains("--leader-election");
    assertThat(cp.getServiceAccountName()).isEqualTo("ambit-control");
    assertThat(cp.getContainers().getFirst().getSecurityContext().getReadOnlyRootFilesystem())
        .isTrue();

    DaemonSet ztunnel = one(DaemonSet.class, "ambit-ztunnel");
    assertSelects(
        ztunnel.getSpec().getSelector().getMatchLabels(),
        ztunnel.getSpec().getTemplate().getMetadata().getLabels());
    PodSpec zt = ztunnel.getSpec().getTemplate().getSpec();
    assertPodSpec(zt, "ambit/ztunnel:0.1.0");
    assertThat(zt.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    Container z = zt.getContainers().getFirst();
    assertThat(z.getSecurityContext().getCapabilities().getAdd())
        .containsExactlyInAnyOrder("NET_ADMIN", "SYS_ADMIN", "NET_RAW");
    assertThat(z.getSecurityContext().getPrivileged()).isFalse();
    Volume netns = volume(zt, "netns");
    assertThat(netns.getHostPath().getPath()).isEqualTo("/var/run/netns");
    assertThat(
            z.getVolumeMounts().stream()
                .filter(m -> m.getName().equals("netns"))
                .findFirst()
                .orElseThrow()
                .getMountPropagation())
        .isEqualTo("HostToContainer");
    var token =
        volume(zt, "ca-token").getProjected().getSources().getFirst().getServiceAccountToken();
    assertThat(token.getAudience()).isEqualTo("istio-ca");
    assertThat(token.getPath()).isEqualTo("istio-token");
    assertThat(z.getArgs())
        .containsSequence("--ca-token-file", "/var/run/secrets/tokens/istio-token")
        .containsSequence("--ca-root", "/var/run/secrets/ambit-ca/root-cert.pem")
        .doesNotContain("--credentials");
    assertThat(volume(zt, "ca-root").getConfigMap().getName()).isEqualTo("ambit-ca-root");

    DaemonSet agent = one(DaemonSet.class, "ambit-node-agent");
    PodSpec na = agent.getSpec().getTemplate().getSpec();
    assertPodSpec(na, "ambit/node-agent:0.1.0");
    assertThat(volume(na, "cni-conf").getHostPath().getPath()).isEqualTo("/etc/cni/net.d");
    assertThat(volume(na, "cni-bin").getHostPath().getPath()).isEqualTo("/opt/cni/bin");
  }

  @Test
  void serviceExposesXdsAndMonitoringPorts() {
    Service svc = one(Service.class, "ambit-control");
    assertThat(svc.getSpec().getPorts())
        .extracting(p -> p.getName() + "=" + p.getPort())
        .containsExactly("grpc-xds=15012", "http-monitoring=15014");
    assertThat(svc.getSpec().getSelector()).containsEntry("app", "ambit-control");
    assertThat(one(ServiceAccount.class, "ambit-ztunnel").getAutomountServiceAccountToken())
        .isFalse();
  }

  @Test
  void rbacIsExactlyWhatTheControlPlaneNeeds() {
    assertThat(rules(one(ClusterRole.class, "ambit-control").getRules()))
        .containsExactlyInAnyOrder(
            "/namespaces get,list,watch",
            "/pods get,list,watch",
            "/serviceaccounts get,list,watch",
            "/services get,list,watch",
            "/nodes get",
            "discovery.k8s.io/endpointslices get,list,watch",
            "security.istio.io/authorizationpolicies get,list,watch",
            "security.istio.io/peerauthentications get,list,watch",
            "gateway.networking.k8s.io/gateways get,list,watch",
            "gateway.networking.k8s.io/httproutes get,list,watch",
            "authentication.k8s.io/tokenreviews create");
    assertThat(rules(one(ClusterRole.class, "ambit-control-waypoints").getRules()))
        .containsExactlyInAnyOrder(
            "gateway.networking.k8s.io/gateways/status update",
            "gateway.networking.k8s.io/httproutes/status update",
            "apps/deployments create,deletecollection,get,list,patch,watch",
            "/services create,deletecollection,patch",
            "/serviceaccounts create,deletecollection",
            "autoscaling/horizontalpodautoscalers list",
            "/configmaps get,list,patch,watch [ambit-ca-root]",
            "/configmaps create");
    assertThat(rules(one(Role.class, "ambit-control-leader-election").getRules()))
        .containsExactly(
            "coordination.k8s.io/leases create",
            "coordination.k8s.io/leases get,update [ambit-control]");
    for (String binding : List.of("ambit-control", "ambit-control-waypoints")) {
      ClusterRoleBinding b = one(ClusterRoleBinding.class, binding);
      assertThat(b.getRoleRef().getName()).isEqualTo(binding);
      assertThat(b.getSubjects())
          .extracting(s -> s.getKind() + " " + s.getNamespace() + "/" + s.getName())
          .containsExactly("ServiceAccount ambit-system/ambit-control");
    }
    assertThat(one(RoleBinding.class, "ambit-control-leader-election").getRoleRef().getName())
        .isEqualTo("ambit-control-leader-election");
  }

  @Test
  void crdsHaveStructuralSchemasAndOneStorageVersion() {
    for (String name :
        List.of(
            "authorizationpolicies.security.istio.io", "peerauthentications.security.istio.io")) {
      CustomResourceDefinition crd = one(CustomResourceDefinition.class, name);
      assertThat(crd.getSpec().getGroup()).isEqualTo("security.istio.io");
      assertThat(name).startsWith(crd.getSpec().getNames().getPlural() + ".");
      assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
      List<CustomResourceDefinitionVersion> versions = crd.getSpec().getVersions();
      assertThat(versions)
          .extracting(CustomResourceDefinitionVersion::getName)
          .containsExactly("v1", "v1beta1");
      assertThat(versions).filteredOn(CustomResourceDefinitionVersion::getStorage).hasSize(1);
      for (CustomResourceDefinitionVersion v : versions) {
        JSONSchemaProps root = v.getSchema().getOpenAPIV3Schema();
        List<String> problems = new ArrayList<>();
        structural(root, name + "/" + v.getName(), problems);
        assertThat(problems).isEmpty();
        assertThat(root.getProperties()).containsKeys("spec", "status", "metadata");
      }
    }
  }

  /** The structural-schema rules of apiextensions.k8s.io/v1 that a hand-written schema breaks. */
  private static void structural(JSONSchemaProps s, String path, List<String> problems) {
    boolean preserve = Boolean.TRUE.equals(s.getXKubernetesPreserveUnknownFields());
    if (s.getType() == null && !preserve && !Boolean.TRUE.equals(s.getXKubernetesIntOrString())) {
      problems.add(path + ": no type");
    }
    if ("array".equals(s.getType()) && (s.getItems() == null || s.getItems().getSchema() == null)) {
      problems.add(path + ": array without items");
    }
    if (s.getProperties() != null
        && !s.getProperties().isEmpty()
        && s.getAdditionalProperties() != null
        && s.getAdditionalProperties().getSchema() != null) {
      problems.add(path + ": both properties and additionalProperties");
    }
    if (s.getProperties() != null
        && !s.getProperties().isEmpty()
        && !"object".equals(s.getType())) {
      problems.add(path + ": properties on a non-object");
    }
    if (s.get$ref() != null) {
      problems.add(path + ": $ref is not allowed");
    }
    if (s.getProperties() != null) {
      s.getProperties().forEach((k, v) -> structural(v, path + "." + k, problems));
    }
    if (s.getItems() != null && s.getItems().getSchema() != null) {
      structural(s.getItems().getSchema(), path + "[]", problems);
    }
    if (s.getAdditionalProperties() != null && s.getAdditionalProperties().getSchema() != null) {
      structural(s.getAdditionalProperties().getSchema(), path + "{}", problems);
    }
  }

  private static List<String> rules(List<PolicyRule> rules) {
    List<String> out = new ArrayList<>();
    for (PolicyRule r : rules) {
      for (String group : r.getApiGroups()) {
        for (String resource : r.getResources()) {
          out.add(
              group
                  + "/"
                  + resource
                  + " "
                  + new TreeSet<>(r.getVerbs()).stream().collect(Collectors.joining(","))
                  + (r.getResourceNames() == null || r.getResourceNames().isEmpty()
                      ? ""
                      : " " + r.getResourceNames()));
        }
      }
    }
    return out;
  }

  private static void assertSelects(Map<String, String> selector, Map<String, String> labels) {
    assertThat(selector).isNotEmpty();
    assertThat(labels).containsAllEntriesOf(selector);
  }

  private static void assertPodSpec(PodSpec spec, String image) {
    assertThat(spec.getContainers()).hasSize(1);
    Container c = spec.getContainers().getFirst();
    assertThat(c.getName()).isNotBlank();
    assertThat(c.getImage()).isEqualTo(image);
    assertThat(c.getArgs()).isNotEmpty();
    assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
    for (var mount : c.getVolumeMounts()) {
      assertThat(spec.getVolumes()).extracting(Volume::getName).contains(mount.getName());
    }
  }

  private static Volume volume(PodSpec spec, String name) {
    return spec.getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }
}
