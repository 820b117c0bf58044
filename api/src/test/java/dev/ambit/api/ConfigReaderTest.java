package dev.ambit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ambit.api.core.ServicePort;
import dev.ambit.api.core.ServiceSpec;
import dev.ambit.api.gateway.HttpRouteRule;
import dev.ambit.api.gateway.HttpRouteSpec;
import dev.ambit.api.gateway.HttpRouteTimeouts;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigReaderTest {

  @TempDir Path dir;

  @Test
  void skipsEmptyDocumentsAndCommentsAndKeepsDocumentLines() throws Exception {
    String yaml =
        """
        # leading comment
        ---
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: a
        ---
        # only a comment
        ---

        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: b, namespace: team}
        ...
        """;

    List<Resource<?>> read = ConfigReader.read("-", new StringReader(yaml));

    assertThat(read)
        .extracting(r -> r.source() + " " + r.namespace() + "/" + r.name())
        .containsExactly("-:4 default/a", "-:12 team/b");
  }

  @Test
  void readsKubectlListsAndNamesTheItemInErrors() throws Exception {
    String list =
        """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: ServiceAccount
          metadata: {name: a}
        - apiVersion: v1
          kind: ServiceAccount
          metadata: {name: b, namespace: other}
        """;

    assertThat(ConfigReader.read("list.yaml", list))
        .extracting(r -> r.source() + " " + r.namespace() + "/" + r.name())
        .containsExactly("list.yaml:4 default/a", "list.yaml:7 other/b");

    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () -> ConfigReader.read("list.yaml", list.replace("name: b,", "nam: b,")));
    assertThat(e.errors())
        .extracting(ConfigError::toString)
        .containsExactly(
            "list.yaml:9: items[1].metadata.nam: unknown field (known: name, namespace, labels,"
                + " annotations, uid, resourceVersion, generation, creationTimestamp)",
            "list.yaml:9: items[1].metadata.name: required field is missing");
  }

  @Test
  void reportsErrorsOfEveryFileOfADirectoryAndSkipsOtherFiles() throws Exception {
    Files.writeString(
        dir.resolve("a.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {}\n");
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(
        dir.resolve("sub/b.json"),
        "{\"apiVersion\": \"v1\",\n \"kind\": \"Namespace\",\n \"metadata\": {\"name\": \"x\", \"labels\": {\"k\": 1}}}\n");
    Files.writeString(dir.resolve("notes.md"), "# not configuration: [");
    Files.writeString(dir.resolve(".hidden.yaml"), "not: [valid");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigReader.read(dir));

    assertThat(e.errors())
        .extracting(ConfigError::toString)
        .containsExactly(
            dir.resolve("a.yaml") + ":4: spec.containers: required field is missing",
            dir.resolve("sub/b.json") + ":3: metadata.labels.k: expected a string, got integer 1");
    assertThat(e.getMessage()).contains("\n");
  }

  @Test
  void readsJsonAndAnswersKindsByCommandLineNames() throws Exception {
    String json =
        """
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": "web", "namespace": "shop"},
         "spec": {"clusterIP": "10.96.0.7", "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}
        """;

    ServiceSpec spec = (ServiceSpec) ConfigReader.read("svc.json", json).getFirst().spec();

    assertThat(spec.ports())
        .containsExactly(new ServicePort("http", null, null, 80, IntOrString.of(8080)));
    assertThat(spec.clusterIP()).isEqualTo("10.96.0.7");
    assertThat(Kind.parse("svc")).contains(Kind.SERVICE);
    assertThat(Kind.parse("authorizationpolicies")).contains(Kind.AUTHORIZATION_POLICY);
    assertThat(Kind.parse("HTTPRoute")).contains(Kind.HTTP_ROUTE);
    assertThat(Kind.parse("httproute.gateway.networking.k8s.io")).contains(Kind.HTTP_ROUTE);
    assertThat(Kind.parse("virtualservice")).isEmpty();
  }

  @Test
  void durationsUseTheGatewayApiFormat() throws Exception {
    String yaml =
        """
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: HTTPRoute
        metadata: {name: r}
        spec:
          rules:
          - timeouts: {request: 1h1m1s1ms, backendRequest: 90s}
        """;
    HttpRouteRule rule =
        ((HttpRouteSpec) ConfigReader.read("r.yaml", yaml).getFirst().spec()).rules().getFirst();

    assertThat(rule.timeouts().request()).isEqualTo(Duration.ofMillis(3_661_001));
    assertThat(ConfigWriter.toYaml(ConfigReader.read("r.yaml", yaml).getFirst()))
        .contains("request: 1h1m1s1ms", "backendRequest: 1m30s");
  }

  @Test
  void objectsBuiltInCodeAreValidatedWithTheSameRules() {
    Resource<HttpRouteSpec> route =
        Resource.of(
            ObjectMeta.of("default", "r"),
            new HttpRouteSpec(
                null,
                List.of("Bad_Host"),
                List.of(
                    new HttpRouteRule(
                        null,
                        null,
                        null,
                        null,
                        new HttpRouteTimeouts(Duration.ofNanos(5), null),
                        null))));

    assertThat(Validation.validate(route))
        .extracting(ConfigError::toString)
        .containsExactly("<api>:0: PT0.000000005S cannot be written as a Gateway API duration");
    assertThat(
            Validation.validate(route.withSpec(new HttpRouteSpec(null, List.of("Bad_Host"), null))))
        .extracting(ConfigError::toString)
        .containsExactly("<api>:0: spec.hostnames[0]: \"Bad_Host\" is not a valid hostname");
  }

  @Test
  void writesOnlyServedVersions() throws Exception {
    Resource<?> policy =
        ConfigReader.read(
                "p.yaml",
                "apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: p}\n")
            .getFirst();

    assertThat(ConfigWriter.toYaml(policy, "security.istio.io/v1"))
        .isEqualTo(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata:
              name: p
              namespace: default
            spec: {}
            """);
    assertThatThrownBy(() -> policy.toVersion("security.istio.io/v1alpha1"))
        .hasMessage(
            "security.istio.io/v1alpha1 is not a served version of AuthorizationPolicy (served:"
                + " security.istio.io/v1, security.istio.io/v1beta1)");
  }
}
