package dev.ambit.control.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ambit.api.ConfigReader;
import dev.ambit.api.store.ConfigStore;
import dev.ambit.proto.security.Action;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.security.Scope;
import dev.ambit.proto.waypoint.HttpRoute;
import dev.ambit.proto.waypoint.PathMatch;
import dev.ambit.proto.workload.AppProtocol;
import dev.ambit.proto.workload.LoadBalancerAlgorithm;
import dev.ambit.proto.workload.Service;
import dev.ambit.proto.workload.TunnelProtocol;
import dev.ambit.proto.workload.Workload;
import dev.ambit.proto.workload.WorkloadStatus;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class MeshStateBuilderTest {

  private final ConfigStore store = new ConfigStore();

  private MeshState build(String yaml) throws Exception {
    store.apply(ConfigReader.read("test.yaml", yaml));
    return new MeshStateBuilder("cluster.local").build(store.snapshot());
  }

  private static ByteString ip(String ip) {
    return ByteString.copyFrom(InetAddress.ofLiteral(ip).getAddress());
  }

  private static final String BASE =
      """
      apiVersion: v1
      kind: Namespace
      metadata:
        name: shop
        labels:
          istio.io/dataplane-mode: ambient
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: reviews
        namespace: shop
      spec:
        clusterIP: 10.96.0.20
        selector:
          app: reviews
        ports:
        - name: http
          port: 9080
          targetPort: web
        - name: grpc-admin
          port: 9090
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: reviews-v1
        namespace: shop
        labels:
          app: reviews
          version: v1
      spec:
        serviceAccountName: bookinfo-reviews
        nodeName: node1
        containers:
        - name: app
          image: echo
          ports:
          - name: web
            containerPort: 8080
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: legacy
        namespace: shop
        labels:
          istio.io/dataplane-mode: none
      spec:
        containers:
        - name: app
          image: echo
      """;

  @Test
  void podBecomesAWorkloadWithServicePortsResolvedAgainstContainerPorts() throws Exception {
    MeshState state = build(BASE);
    store.updateStatus(
        new dev.ambit.api.ResourceKey(dev.ambit.api.Kind.POD, "shop", "reviews-v1"),
        new dev.ambit.api.core.PodStatus(dev.ambit.api.core.PodPhase.Running, null, "10.241.1.5"));
    state = new MeshStateBuilder("cluster.local").build(store.snapshot());

    Workload w = state.workloads().get("local//Pod/shop/reviews-v1");
    assertThat(w.getAddressesList()).containsExactly(ip("10.241.1.5"));
    assertThat(w.getStatus()).isEqualTo(WorkloadStatus.HEALTHY);
    assertThat(w.getTunnelProtocol()).isEqualTo(TunnelProtocol.HBONE);
    assertThat(w.getServiceAccount()).isEqualTo("bookinfo-reviews");
    assertThat(w.getNode()).isEqualTo("node1");
    assertThat(w.getTrustDomain()).isEqualTo("cluster.local");
    assertThat(w.getCanonicalName()).isEqualTo("reviews");
    assertThat(w.getCanonicalRevision()).isEqualTo("v1");
    var ports = w.getServicesMap().get("shop/reviews.shop.svc.cluster.local").getPortsList();
    assertThat(ports)
        .extracting(p -> p.getServicePort() + "->" + p.getTargetPort())
        .containsExactly("9080->8080", "9090->9090");

    Service s = state.services().get("shop/reviews.shop.svc.cluster.local");
    assertThat(s.getAddresses(0).getAddress()).isEqualTo(ip("10.96.0.20"));
    assertThat(s.getPortsList())
        .extracting(p -> p.getServicePort() + "/" + p.getTargetPort() + "/" + p.getAppProtocol())
        .containsExactly("9080/0/" + AppProtocol.HTTP11, "9090/9090/" + AppProtocol.GRPC);
    assertThat(state.pods().get("shop/reviews-v1").getSpiffeId())
        .isEqualTo("spiffe://cluster.local/ns/shop/sa/bookinfo-reviews");
  }

  @Test
  void loadBalancerAnnotationReachesTheServiceAndItsChangeIsADelta() throws Exception {
    MeshStateBuilder builder = new MeshStateBuilder("cluster.local");
    store.apply(ConfigReader.read("test.yaml", BASE));
    MeshState before = builder.build(store.snapshot());
    String name = "shop/reviews.shop.svc.cluster.local";
    assertThat(before.services().get(name).getAmbitLoadBalancer())
        .isEqualTo(LoadBalancerAlgorithm.LB_DEFAULT);

    var changed =
        store.apply(
            ConfigReader.read(
                "lb.yaml",
                BASE.replace(
                    """
                      name: reviews
                      namespace: shop
                    spec:
                      clusterIP: 10.96.0.20""",
                    """
                      name: reviews
                      namespace: shop
                      annotations:
                        ambit.dev/load-balancer: round-robin
                    spec:
                      clusterIP: 10.96.0.20""")));
    MeshState after =
        builder.update(
            store.snapshot(),
            changed.stream()
                .map(r -> r.object().key())
                .collect(java.util.stream.Collectors.toSet()));
    assertThat(after.services().get(name).getAmbitLoadBalancer())
        .isEqualTo(LoadBalancerAlgorithm.LB_ROUND_ROBIN);
    assertThat(after.delta().touched().values())
        .anySatisfy(names -> assertThat(names).contains(name));
  }

  @Test
  void serviceWithoutSelectorHasThePodsItsAnnotationNamesAndTheClusterIdIsUsed() throws Exception {
    store.apply(ConfigReader.read("test.yaml", BASE));
    store.apply(
        ConfigReader.read(
            "endpoints.yaml",
            """
            apiVersion: v1
            kind: Service
            metadata:
              name: external-reviews
              namespace: shop
              annotations:
                ambit.dev/endpoint-pods: reviews-v1,gone
            spec:
              clusterIP: 10.96.0.21
              ports:
              - name: http
                port: 80
                targetPort: web
            """));
    MeshState state = new MeshStateBuilder("cluster.local", "Kubernetes").build(store.snapshot());
    Workload w = state.workloads().get("Kubernetes//Pod/shop/reviews-v1");
    assertThat(w.getClusterId()).isEqualTo("Kubernetes");
    assertThat(w.getServicesMap().get("shop/external-reviews.shop.svc.cluster.local"))
        .isNotNull()
        .satisfies(
            ports -> {
              assertThat(ports.getPorts(0).getServicePort()).isEqualTo(80);
              assertThat(ports.getPorts(0).getTargetPort()).isEqualTo(8080);
            });
    // and it is still an endpoint of the Service whose selector matches it
    assertThat(state.workloads().get("Kubernetes//Pod/shop/reviews-v1").getServicesMap())
        .containsKey("shop/reviews.shop.svc.cluster.local");
  }

  @Test
  void podWithoutIpIsUnhealthyAndOptedOutPodIsNotInTheMesh() throws Exception {
    MeshState state = build(BASE);
    assertThat(state.workloads().get("local//Pod/shop/reviews-v1").getStatus())
        .isEqualTo(WorkloadStatus.UNHEALTHY);
    assertThat(state.workloads().get("local//Pod/shop/legacy").getTunnelProtocol())
        .isEqualTo(TunnelProtocol.NONE);
    assertThat(state.pods().get("shop/legacy").getAmbient()).isFalse();
    assertThat(state.pods().get("shop/reviews-v1").getAmbient()).isTrue();
  }

  @Test
  void waypointLabelOnPodWinsOverNamespaceAndNoneDisables() throws Exception {
    MeshState state =
        build(
            """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: shop
              labels:
                istio.io/dataplane-mode: ambient
                istio.io/use-waypoint: ns-wp
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: ns-wp, namespace: shop, labels: {istio.io/waypoint-for: all}}
            spec:
              gatewayClassName: istio-waypoint
              listeners: [{name: mesh, port: 15008, protocol: HBONE}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: pod-wp, namespace: infra, labels: {istio.io/waypoint-for: workload}}
            spec:
              gatewayClassName: istio-waypoint
              listeners: [{name: mesh, port: 15008, protocol: HBONE}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: ns-wp, namespace: shop}
            spec: {clusterIP: 10.96.0.30, ports: [{name: mesh, port: 15008}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: pod-wp, namespace: infra}
            spec: {clusterIP: 10.96.0.31, ports: [{name: mesh, port: 15008}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: shop}
            spec: {containers: [{name: c, image: echo}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: b
              namespace: shop
              labels: {istio.io/use-waypoint: pod-wp, istio.io/use-waypoint-namespace: infra}
            spec: {containers: [{name: c, image: echo}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: c
              namespace: shop
              labels: {istio.io/use-waypoint: none}
            spec: {containers: [{name: c, image: echo}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: d
              namespace: shop
              labels: {istio.io/use-waypoint: missing}
            spec: {containers: [{name: c, image: echo}]}
            """);
    assertThat(state.workloads().get("local//Pod/shop/a").getWaypoint().getAddress().getAddress())
        .isEqualTo(ip("10.96.0.30"));
    assertThat(state.workloads().get("local//Pod/shop/a").getWaypoint().getHboneMtlsPort())
        .isEqualTo(15008);
    assertThat(state.workloads().get("local//Pod/shop/b").getWaypoint().getAddress().getAddress())
        .isEqualTo(ip("10.96.0.31"));
    assertThat(state.workloads().get("local//Pod/shop/c").hasWaypoint()).isFalse();
    assertThat(state.workloads().get("local//Pod/shop/d").hasWaypoint()).isFalse();
    assertThat(state.problems())
        .containsEntry(
            "Pod shop/d",
            "waypoint shop/missing does not exist (no Gateway of class istio-waypoint)");
    // the waypoint's own service is bound through the namespace label too, unless it is a
    // managed waypoint service (gateway-name label): this one was written by hand
    assertThat(state.services().get("shop/ns-wp.shop.svc.cluster.local").hasWaypoint()).isTrue();
  }

  @Test
  void policyScopesAndL4Translation() throws Exception {
    MeshState state =
        build(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: global-deny, namespace: istio-system}
            spec:
              action: DENY
              rules: [{from: [{source: {ipBlocks: ["10.0.0.0/8"]}}]}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: ns-allow, namespace: shop}
            spec:
              rules:
              - from: [{source: {principals: ["cluster.local/ns/shop/sa/curl"], namespaces: ["shop*"]}}]
                to: [{operation: {ports: ["9080"]}}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: sel, namespace: shop}
            spec:
              selector: {matchLabels: {app: reviews}}
              rules: [{}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: r, namespace: shop, labels: {app: reviews}}
            spec: {containers: [{name: c, image: echo}]}
            """);
    Authorization global = state.authorizations().get("istio-system/global-deny");
    assertThat(global.getScope()).isEqualTo(Scope.GLOBAL);
    assertThat(global.getAction()).isEqualTo(Action.DENY);
    var cidr = global.getRules(0).getClauses(0).getMatches(0).getSourceIps(0);
    assertThat(cidr.getAddress()).isEqualTo(ip("10.0.0.0"));
    assertThat(cidr.getLength()).isEqualTo(8);

    Authorization ns = state.authorizations().get("shop/ns-allow");
    assertThat(ns.getScope()).isEqualTo(Scope.NAMESPACE);
    var from = ns.getRules(0).getClauses(0).getMatches(0);
    assertThat(from.getPrincipals(0).getExact()).isEqualTo("cluster.local/ns/shop/sa/curl");
    assertThat(from.getNamespaces(0).getPrefix()).isEqualTo("shop");
    assertThat(ns.getRules(0).getClauses(1).getMatches(0).getDestinationPortsList())
        .containsExactly(9080);

    assertThat(state.authorizations().get("shop/sel").getScope())
        .isEqualTo(Scope.WORKLOAD_SELECTOR);
    assertThat(state.authorizations().get("shop/sel").getRulesList()).hasSize(1);
    assertThat(state.authorizations().get("shop/sel").getRules(0).getClausesList()).isEmpty();
    assertThat(state.workloads().get("local//Pod/shop/r").getAuthorizationPoliciesList())
        .containsExactly("shop/sel");
  }

  @Test
  void l7RulesFailClosedAtZtunnel() throws Exception {
    MeshState state =
        build(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: allow-get, namespace: shop}
            spec:
              rules:
              - to: [{operation: {methods: ["GET"], ports: ["9080"]}}]
              - when: [{key: "request.headers[x-user]", values: ["admin"]}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: deny-admin, namespace: shop}
            spec:
              action: DENY
              rules:
              - from: [{source: {namespaces: ["other"]}}]
                to: [{operation: {paths: ["/admin"]}}]
            """);
    // ALLOW with only L7 rules: no rule left -> allows nothing (deny by default).
    Authorization allow = state.authorizations().get("shop/allow-get");
    assertThat(allow.getAction()).isEqualTo(Action.ALLOW);
    assertThat(allow.getRulesList()).isEmpty();
    // DENY: the path is dropped, so every request from "other" is denied.
    Authorization deny = state.authorizations().get("shop/deny-admin");
    assertThat(deny.getRulesList()).hasSize(1);
    assertThat(deny.getRules(0).getClausesList()).hasSize(2);
    assertThat(deny.getRules(0).getClauses(0).getMatches(0).getNamespaces(0).getExact())
        .isEqualTo("other");
    assertThat(deny.getRules(0).getClauses(1).getMatches(0).getDestinationPortsList()).isEmpty();
  }

  @Test
  void waypointPoliciesAndRoutesBecomeL7Types() throws Exception {
    MeshState state =
        build(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: wp, namespace: shop}
            spec:
              targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}]
              action: DENY
              rules: [{to: [{operation: {methods: ["DELETE"], paths: ["/api/*"]}}]}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: reviews, namespace: shop}
            spec:
              parentRefs: [{group: "", kind: Service, name: reviews, port: 9080}]
              rules:
              - matches: [{path: {type: PathPrefix, value: /v2}, headers: [{name: x-canary, value: "1"}]}]
                backendRefs: [{name: reviews-v2, port: 9080, weight: 90}, {name: reviews-v1, port: 9080, weight: 10}]
                timeouts: {request: 2s}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: ingress-only, namespace: shop}
            spec:
              parentRefs: [{name: some-gateway}]
              rules: [{backendRefs: [{name: x, port: 80}]}]
            """);
    assertThat(state.authorizations()).doesNotContainKey("shop/wp");
    var l7 = state.l7Authorizations().get("shop/wp");
    assertThat(l7.getTargets(0).getKind()).isEqualTo("Gateway");
    assertThat(l7.getTargets(0).getNamespace()).isEqualTo("shop");
    assertThat(l7.getRules(0).getTo(0).getPathsList()).containsExactly("/api/*");

    HttpRoute route = state.routes().get("shop/reviews");
    assertThat(route.getParents(0).getName()).isEqualTo("reviews");
    assertThat(route.getParents(0).getPort()).isEqualTo(9080);
    var rule = route.getRules(0);
    assertThat(rule.getMatches(0).getPath().getType()).isEqualTo(PathMatch.Type.PATH_PREFIX);
    assertThat(rule.getMatches(0).getPath().getValue()).isEqualTo("/v2");
    assertThat(rule.getMatches(0).getHeaders(0).getName()).isEqualTo("x-canary");
    assertThat(rule.getBackendsList())
        .extracting(b -> b.getName() + ":" + b.getWeight())
        .containsExactly("reviews-v2:90", "reviews-v1:10");
    assertThat(rule.getTimeouts().getRequest().getSeconds()).isEqualTo(2);
    assertThat(route.getCreatedMillis()).isPositive();
    assertThat(state.routes()).doesNotContainKey("shop/ingress-only");
  }

  @Test
  void waypointForDecidesWhetherServicesAndWorkloadsBind() throws Exception {
    StringBuilder yaml =
        new StringBuilder(
            """
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop, labels: {istio.io/dataplane-mode: ambient}}
            """);
    String[] modes = {"default", "service", "workload", "all", "none"};
    for (int i = 0; i < modes.length; i++) {
      String m = modes[i];
      String labels = m.equals("default") ? "{}" : "{istio.io/waypoint-for: " + m + "}";
      yaml.append(
          """
          ---
          apiVersion: gateway.networking.k8s.io/v1
          kind: Gateway
          metadata: {name: wp-%1$s, namespace: shop, labels: %2$s}
          spec:
            gatewayClassName: istio-waypoint
            listeners: [{name: mesh, port: 15008, protocol: HBONE}]
          ---
          apiVersion: v1
          kind: Service
          metadata: {name: wp-%1$s, namespace: shop}
          spec: {clusterIP: 10.96.0.%3$d, ports: [{name: mesh, port: 15008}]}
          ---
          apiVersion: v1
          kind: Service
          metadata: {name: svc-%1$s, namespace: shop, labels: {istio.io/use-waypoint: wp-%1$s}}
          spec: {clusterIP: 10.96.1.%3$d, ports: [{name: http, port: 80}]}
          ---
          apiVersion: v1
          kind: Pod
          metadata: {name: pod-%1$s, namespace: shop, labels: {istio.io/use-waypoint: wp-%1$s}}
          spec: {containers: [{name: c, image: echo}]}
          """
              .formatted(m, labels, 40 + i));
    }
    MeshState state = build(yaml.toString());
    for (String m : modes) {
      boolean service = m.equals("default") || m.equals("service") || m.equals("all");
      boolean workload = m.equals("workload") || m.equals("all");
      assertThat(state.services().get("shop/svc-" + m + ".shop.svc.cluster.local").hasWaypoint())
          .as("service bound to a waypoint for " + m)
          .isEqualTo(service);
      assertThat(state.workloads().get("local//Pod/shop/pod-" + m).hasWaypoint())
          .as("workload bound to a waypoint for " + m)
          .isEqualTo(workload);
    }
    assertThat(state.problems())
        .containsEntry(
            "Pod shop/pod-service",
            "waypoint shop/wp-service is for service traffic (istio.io/waypoint-for), not workload"
                + " traffic")
        .containsEntry(
            "Service shop/svc-workload",
            "waypoint shop/wp-workload is for workload traffic (istio.io/waypoint-for), not"
                + " service traffic");
  }
}
