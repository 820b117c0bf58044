package dev.ambit.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Values overrides reach the manifests; applying sends server-side-apply patches in order. */
@EnableKubernetesMockClient
class InstallCommandTest {
  KubernetesClient client;
  KubernetesMockServer server;

  @Test
  void valuesFilesAndSetOverrideTheDefaults(@TempDir Path dir) throws Exception {
    Path values = dir.resolve("values.yaml");
    Files.writeString(
        values,
        "control:\n  replicas: 2\n  caSecretName: cacerts\nimage:\n  hub: r.example/mesh\n");
    List<ChartRenderer.Document> docs =
        InstallRendering.render(
            Chart.bundled(),
            "mesh",
            "ambit",
            List.of(values),
            List.of("image.tag=1.2.3,control.replicas=3"));
    Deployment control =
        client.getKubernetesSerialization().unmarshal(find(docs, "Deployment"), Deployment.class);
    assertThat(control.getMetadata().getNamespace()).isEqualTo("mesh");
    assertThat(control.getSpec().getReplicas()).isEqualTo(3);
    var container = control.getSpec().getTemplate().getSpec().getContainers().getFirst();
    assertThat(container.getImage()).isEqualTo("r.example/mesh/control:1.2.3");
    assertThat(container.getArgs()).containsSequence("--ca-dir", "/etc/ambit/ca");
    assertThat(control.getSpec().getTemplate().getSpec().getVolumes())
        .filteredOn(v -> v.getSecret() != null)
        .extracting(v -> v.getSecret().getSecretName())
        .containsExactly("cacerts");
    assertThat(container.getArgs())
        .containsSequence("--waypoint-image", "r.example/mesh/waypoint:1.2.3")
        .containsSequence("--node-account", "mesh/ambit-ztunnel");
  }

  @Test
  void withoutNamespaceCreationThereIsNoNamespaceAndNoLeaseRoleWithoutElection() throws Exception {
    List<ChartRenderer.Document> docs =
        InstallRendering.render(
            Chart.bundled(),
            "ambit-system",
            "ambit",
            List.of(),
            List.of("createNamespace=false", "control.leaderElection.enabled=false"));
    assertThat(docs).extracting(ChartRenderer.Document::kind).doesNotContain("Namespace", "Role");
  }

  @Test
  void applySendsServerSideApplyPatchesInInstallOrder() throws Exception {
    List<ChartRenderer.Document> docs = InstallRendering.defaults(Chart.bundled());
    List<String> paths = new ArrayList<>();
    for (ChartRenderer.Document d : docs) {
      HasMetadata o = Serialization.unmarshal(d.yaml());
      String api = o.getApiVersion().contains("/") ? "/apis/" : "/api/";
      String ns = o.getMetadata().getNamespace();
      String path =
          api
              + o.getApiVersion()
              + (ns == null ? "" : "/namespaces/" + ns)
              + "/"
              + HasMetadata.getPlural(o.getClass())
              + "/"
              + o.getMetadata().getName()
              + "?fieldManager=ambit-install&force=true";
      server.expect().patch().withPath(path).andReturn(200, o).once();
      paths.add(path);
    }
    StringWriter out = new StringWriter();
    new ManifestApplier(client).apply(docs, new PrintWriter(out));

    assertThat(out.toString().lines())
        .hasSize(docs.size())
        .contains("Deployment ambit-system/ambit-control applied")
        .contains("CustomResourceDefinition authorizationpolicies.security.istio.io applied");
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) {
      RecordedRequest r = server.takeRequest(10, TimeUnit.SECONDS);
      assertThat(r.getMethod()).isEqualTo("PATCH");
      assertThat(r.getHeader("Content-Type")).startsWith("application/apply-patch+yaml");
      seen.add(r.getPath());
    }
    assertThat(seen).containsExactlyElementsOf(paths);
    assertThat(seen.getFirst()).contains("customresourcedefinitions");
    assertThat(seen.getLast()).contains("/deployments/ambit-control");
  }

  private static String find(List<ChartRenderer.Document> docs, String kind) {
    return docs.stream().filter(d -> d.kind().equals(kind)).findFirst().orElseThrow().yaml();
  }
}
