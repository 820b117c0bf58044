package dev.ambit.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.api.core.PodPhase;
import dev.ambit.api.core.PodSpec;
import dev.ambit.api.core.PodStatus;
import dev.ambit.api.core.ServiceSpec;
import dev.ambit.api.gateway.FilterType;
import dev.ambit.api.gateway.GatewaySpec;
import dev.ambit.api.gateway.HttpMethod;
import dev.ambit.api.gateway.HttpRouteRule;
import dev.ambit.api.gateway.HttpRouteSpec;
import dev.ambit.api.gateway.PathMatchType;
import dev.ambit.api.security.AuthorizationAction;
import dev.ambit.api.security.AuthorizationPolicySpec;
import dev.ambit.api.security.MtlsMode;
import dev.ambit.api.security.PeerAuthenticationSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GoodFixturesTest {

  @Test
  void readsAuthorizationPoliciesWithSourceLines() throws Exception {
    List<Resource<?>> all = ConfigReader.read(Fixtures.path("good/authz-policies.yaml"));

    assertThat(all)
        .extracting(Resource::name)
        .containsExactly(
            "allow-nothing",
            "deny-method-get",
            "productpage-viewer",
            "tcp-policy",
            "waypoint-header-check");
    assertThat(all).extracting(r -> r.source().line()).containsExactly(2, 9, 25, 49, 72);
    assertThat(all.get(0).source().file()).endsWith("authz-policies.yaml");

    AuthorizationPolicySpec deny = (AuthorizationPolicySpec) all.get(1).spec();
    assertThat(deny.action()).isEqualTo(AuthorizationAction.DENY);
    assertThat(deny.selector().matchLabels()).isEqualTo(Map.of("app", "httpbin"));
    assertThat(deny.rules().getFirst().to().getFirst().operation().paths())
        .containsExactly("/headers", "/ip*");
    assertThat(deny.rules().getFirst().isL7()).isTrue();

    AuthorizationPolicySpec viewer = (AuthorizationPolicySpec) all.get(2).spec();
    assertThat(viewer.allTargetRefs())
        .singleElement()
        .satisfies(t -> assertThat(t.kind() + "/" + t.name()).isEqualTo("Service/productpage"));
    assertThat(viewer.rules().get(1).from().getFirst().source().notIpBlocks())
        .containsExactly("10.241.9.0/24");

    Resource<?> tcp = all.get(3);
    assertThat(tcp.apiVersion()).isEqualTo("security.istio.io/v1beta1");
    assertThat(tcp.metadata().labels()).containsEntry("team", "storage");
    assertThat(((AuthorizationPolicySpec) tcp.spec()).rules().getFirst().isL7()).isFalse();

    assertThat(((AuthorizationPolicySpec) all.get(0).spec()).effectiveAction())
        .isEqualTo(AuthorizationAction.ALLOW);
  }

  @Test
  void readsHttpRoutes() throws Exception {
    List<Resource<?>> all = ConfigReader.read(Fixtures.path("good/routes.yaml"));

    HttpRouteSpec reviews = all.get(0).as(HttpRouteSpec.class).orElseThrow().spec();
    assertThat(reviews.parentRefs().getFirst().isService()).isTrue();
    HttpRouteRule weighted = reviews.rules().get(1);
    assertThat(weighted.backendRefs())
        .extracting(b -> b.name() + ":" + b.effectiveWeight())
        .containsExactly("reviews-v1:90", "reviews-v3:10");
    assertThat(weighted.timeouts().request()).isEqualTo(Duration.ofSeconds(10));
    assertThat(weighted.timeouts().backendRequest()).isEqualTo(Duration.ofMillis(2500));
    assertThat(weighted.retry().codes()).containsExactly(502, 503);
    assertThat(weighted.retry().backoff()).isEqualTo(Duration.ofMillis(100));

    Resource<?> filters = all.get(1);
    assertThat(filters.apiVersion()).isEqualTo("gateway.networking.k8s.io/v1beta1");
    HttpRouteSpec spec = (HttpRouteSpec) filters.spec();
    assertThat(spec.hostnames()).containsExactly("www.example.com", "*.example.org");
    HttpRouteRule login = spec.rules().get(1);
    assertThat(login.matches().get(0).method()).isEqualTo(HttpMethod.POST);
    assertThat(login.matches().get(1).path().type()).isEqualTo(PathMatchType.RegularExpression);
    assertThat(login.matches().get(1).queryParams().getFirst().value()).isEqualTo("1");
    assertThat(login.filters())
        .extracting(f -> f.type())
        .containsExactly(
            FilterType.RequestHeaderModifier, FilterType.ResponseHeaderModifier,
            FilterType.URLRewrite, FilterType.RequestMirror);
    assertThat(login.filters().get(3).requestMirror().percent()).isEqualTo(10);
    assertThat(login.backendRefs().getFirst().filters()).hasSize(1);
    assertThat(spec.rules().get(0).filters().getFirst().requestRedirect().statusCode())
        .isEqualTo(301);
  }

  @Test
  void readsCoreKindsGatewayAndPeerAuthentication() throws Exception {
    List<Resource<?>> all = ConfigReader.read(Fixtures.path("good/mesh.yaml"));

    assertThat(all)
        .extracting(Resource::kind)
        .containsExactly(
            Kind.NAMESPACE,
            Kind.SERVICE_ACCOUNT,
            Kind.SERVICE,
            Kind.POD,
            Kind.GATEWAY,
            Kind.PEER_AUTHENTICATION);
    assertThat(all.get(0).namespace()).isNull();
    assertThat(all.get(0).metadata().labels()).containsEntry("istio.io/dataplane-mode", "ambient");

    ServiceSpec service = (ServiceSpec) all.get(2).spec();
    assertThat(service.clusterIP()).isNull();
    assertThat(service.ports().get(0).targetPort()).isEqualTo(IntOrString.of("http"));
    assertThat(service.ports().get(1).targetPortNumber()).isEqualTo(9090);

    Resource<?> pod = all.get(3);
    PodSpec podSpec = (PodSpec) pod.spec();
    assertThat(podSpec.serviceAccount()).isEqualTo("bookinfo-reviews");
    assertThat(podSpec.containers().getFirst().args()).containsExactly("--port", "9080");
    assertThat(pod.status())
        .isEqualTo(new PodStatus(PodPhase.Running, "10.240.0.11", "10.241.1.2"));
    assertThat(pod.metadata().annotations()).containsEntry("example.com/owner", "team reviews");

    assertThat(((GatewaySpec) all.get(4).spec()).isWaypoint()).isTrue();
    PeerAuthenticationSpec peer = (PeerAuthenticationSpec) all.get(5).spec();
    assertThat(peer.mtls().mode()).isEqualTo(MtlsMode.STRICT);
    assertThat(peer.portLevelMtls().get("9090").mode()).isEqualTo(MtlsMode.PERMISSIVE);
  }

  @Test
  void readsADirectoryInNameOrderAndDefaultsTheNamespace() throws Exception {
    Path dir = Fixtures.path("good");
    List<Resource<?>> all = ConfigReader.read(dir);

    assertThat(all).hasSize(5 + 6 + 2);
    assertThat(all.get(0).source().file()).endsWith("authz-policies.yaml");
    assertThat(all.getLast().source().file()).endsWith("routes.yaml");
    assertThat(all.getLast().namespace()).isEqualTo("default");
  }

  @Test
  void aV1beta1ObjectConvertsToV1AndBackUnchanged() throws Exception {
    for (Resource<?> original : ConfigReader.read(Fixtures.path("good"))) {
      for (String version : original.kind().servedApiVersions()) {
        String yaml = ConfigWriter.toYaml(original, version);
        Resource<?> converted = ConfigReader.read("converted.yaml", yaml).getFirst();
        assertThat(converted.apiVersion()).isEqualTo(version);
        String back = ConfigWriter.toYaml(converted, original.apiVersion());
        assertThat(ConfigReader.read("back.yaml", back).getFirst()).isEqualTo(original);
      }
    }
  }
}
