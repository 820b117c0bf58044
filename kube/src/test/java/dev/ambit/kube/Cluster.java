package dev.ambit.kube;

import dev.ambit.kube.source.KubeKinds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Map;

/** Creates objects in the (mock) API server the way users and the kubelet would. */
final class Cluster {

  private final KubernetesClient client;

  Cluster(KubernetesClient client) {
    this.client = client;
  }

  void namespace(String name, Map<String, String> labels) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
  }

  void node(String name) {
    client
        .nodes()
        .resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
  }

  void serviceAccount(String ns, String name) {
    client
        .serviceAccounts()
        .inNamespace(ns)
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .endMetadata()
                .build())
        .create();
  }

  /** A pod the scheduler put on {@code node} and the kubelet started with {@code ip}. */
  Pod pod(String ns, String name, String sa, String node, String ip, Map<String, String> labels) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .withServiceAccountName(sa)
            .withNodeName(node)
            .withRestartPolicy("Always")
            .addNewContainer()
            .withName("app")
            .withImage("registry.example/app:1")
            .withImagePullPolicy("IfNotPresent")
            .addNewPort()
            .withName("http")
            .withContainerPort(8080)
            .endPort()
            .addNewPort()
            .withName("dns")
            .withContainerPort(5353)
            .withProtocol("UDP")
            .endPort()
            .endContainer()
            .endSpec()
            .build();
    Pod created = client.pods().inNamespace(ns).resource(pod).create();
    created.setStatus(
        new io.fabric8.kubernetes.api.model.PodStatusBuilder()
            .withPhase("Running")
            .withPodIP(ip)
            .withHostIP("192.168.0.1")
            .build());
    return client.pods().inNamespace(ns).resource(created).updateStatus();
  }

  void service(String ns, String name, String clusterIp, Map<String, String> selector) {
    client
        .services()
        .inNamespace(ns)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .endMetadata()
                .withNewSpec()
                .withClusterIP(clusterIp)
                .withSelector(selector)
                .addNewPort()
                .withName("http")
                .withPort(9080)
                .withNewTargetPort("http")
                .endPort()
                .endSpec()
                .build())
        .create();
  }

  GenericKubernetesResource create(ResourceDefinitionContext kind, String yaml) {
    GenericKubernetesResource r =
        client.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
    return client
        .genericKubernetesResources(kind)
        .inNamespace(r.getMetadata().getNamespace())
        .resource(r)
        .create();
  }

  GenericKubernetesResource get(ResourceDefinitionContext kind, String ns, String name) {
    return client.genericKubernetesResources(kind).inNamespace(ns).withName(name).get();
  }

  void delete(ResourceDefinitionContext kind, String ns, String name) {
    client.genericKubernetesResources(kind).inNamespace(ns).withName(name).delete();
  }

  static final String WAYPOINT =
      """
      apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata: {name: waypoint, namespace: shop}
      spec:
        gatewayClassName: istio-waypoint
        listeners: [{name: mesh, port: 15008, protocol: HBONE}]
      """;

  static final String ROUTE =
      """
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: {name: reviews, namespace: shop}
      spec:
        parentRefs: [{group: "", kind: Service, name: reviews, port: 9080}]
        rules:
        - backendRefs: [{name: reviews, port: 9080}]
      """;

  static final String ALLOW_CURL =
      """
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: allow-curl, namespace: shop}
      spec:
        selector: {matchLabels: {app: reviews}}
        action: ALLOW
        rules:
        - from: [{source: {principals: [cluster.local/ns/shop/sa/curl]}}]
      """;

  static final ResourceDefinitionContext GATEWAY = KubeKinds.GATEWAY;
  static final ResourceDefinitionContext ROUTE_KIND = KubeKinds.HTTP_ROUTE;
  static final ResourceDefinitionContext POLICY = KubeKinds.AUTHORIZATION_POLICY;
}
