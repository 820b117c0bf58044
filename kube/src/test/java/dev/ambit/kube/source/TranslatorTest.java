package dev.ambit.kube.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ambit.api.ConfigException;
import dev.ambit.api.Kind;
import dev.ambit.api.Resource;
import dev.ambit.api.core.PodSpec;
import dev.ambit.api.core.PodStatus;
import dev.ambit.api.core.ServiceSpec;
import dev.ambit.api.security.AuthorizationAction;
import dev.ambit.api.security.AuthorizationPolicySpec;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TranslatorTest {

  private final KubernetesSerialization json = new KubernetesSerialization();
  private final Translator translator = new Translator(json);

  private <T extends HasMetadata> T read(String yaml, Class<T> type) {
    return json.unmarshal(yaml, type);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> raw(Object o) {
    return json.convertValue(o, Map.class);
  }

  @Test
  void podKeepsWhatTheMeshNeedsAndLeavesTheKubeletsFieldsOut() throws Exception {
    Pod pod =
        read(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: reviews-v1
              namespace: shop
              labels: {app: reviews}
              annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}", team: books}
            spec:
              serviceAccountName: reviews
              nodeName: node-a
              restartPolicy: Always
              containers:
              - name: app
                image: reviews:1
                env: [{name: SECRET, valueFrom: {secretKeyRef: {name: s, key: k}}}]
                readinessProbe: {httpGet: {path: /ready, port: 8080}}
                resources: {limits: {cpu: "1"}}
                ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]
            status: {phase: Running, podIP: 10.1.1.5, hostIP: 192.168.0.1}
            """,
            Pod.class);
    Resource<?> r = translator.translate(Kind.POD, pod).orElseThrow();
    PodSpec spec = (PodSpec) r.spec();
    assertThat(spec.serviceAccount()).isEqualTo("reviews");
    assertThat(spec.nodeName()).isEqualTo("node-a");
    assertThat(spec.containers().getFirst().ports())
        .singleElement()
        .satisfies(p -> assertThat(p.name()).isEqualTo("http"));
    assertThat(((PodStatus) r.status()).podIP()).isEqualTo("10.1.1.5");
    assertThat(r.metadata().annotations()).isEqualTo(Map.of("team", "books"));
  }

  @Test
  void hostNetworkPodsAndExternalNameServicesAreNotInTheMesh() throws Exception {
    Pod pod =
        read(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: agent, namespace: kube-system}
            spec: {hostNetwork: true, containers: [{name: a, image: a}]}
            """,
            Pod.class);
    Service svc =
        read(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: db, namespace: shop}
            spec: {type: ExternalName, externalName: db.example.com}
            """,
            Service.class);
    assertThat(translator.translate(Kind.POD, pod)).isEmpty();
    assertThat(translator.translate(Kind.SERVICE, svc)).isEmpty();
  }

  @Test
  void serviceKeepsTcpPorts() throws Exception {
    Service svc =
        read(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: dns, namespace: shop}
            spec:
              type: NodePort
              clusterIP: 10.96.0.10
              sessionAffinity: None
              selector: {app: dns}
              ports:
              - {name: udp, port: 53, protocol: UDP}
              - {name: tcp, port: 53, protocol: TCP, nodePort: 30053}
            """,
            Service.class);
    ServiceSpec spec = (ServiceSpec) translator.translate(Kind.SERVICE, svc).orElseThrow().spec();
    assertThat(spec.clusterIP()).isEqualTo("10.96.0.10");
    assertThat(spec.ports()).singleElement().satisfies(p -> assertThat(p.name()).isEqualTo("tcp"));
  }

  @Test
  void unreadablePoliciesFailClosed() {
    GenericKubernetesResource custom =
        read(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: ext, namespace: shop}
            spec:
              selector: {matchLabels: {app: reviews}}
              action: CUSTOM
              provider: {name: ext-authz}
              rules: [{to: [{operation: {paths: [/admin]}}]}]
            """,
            GenericKubernetesResource.class);
    assertThatThrownBy(() -> translator.translate(Kind.AUTHORIZATION_POLICY, custom))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("provider");
    AuthorizationPolicySpec deny =
        (AuthorizationPolicySpec) FailClosed.authorizationPolicy(raw(custom)).orElseThrow().spec();
    assertThat(deny.effectiveAction()).isEqualTo(AuthorizationAction.DENY);
    assertThat(deny.selector().matchLabels()).isEqualTo(Map.of("app", "reviews"));
    assertThat(deny.rules()).singleElement().satisfies(r -> assertThat(r.from()).isEmpty());

    GenericKubernetesResource allow =
        read(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: allow, namespace: shop}
            spec:
              selector: {matchExpressions: [{key: app, operator: In, values: [a]}]}
              rules: [{}]
            """,
            GenericKubernetesResource.class);
    AuthorizationPolicySpec nothing =
        (AuthorizationPolicySpec) FailClosed.authorizationPolicy(raw(allow)).orElseThrow().spec();
    assertThat(nothing.effectiveAction()).isEqualTo(AuthorizationAction.ALLOW);
    assertThat(nothing.selector()).isNull();
    assertThat(nothing.rules()).isEmpty();
  }
}
