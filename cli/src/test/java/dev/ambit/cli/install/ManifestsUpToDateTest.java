package dev.ambit.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** deploy/manifests/ambit.yaml is exactly what `ambit install --dry-run` renders. */
class ManifestsUpToDateTest {

  @Test
  void committedManifestsEqualAFreshRender() throws Exception {
    Path committed = Path.of("..", "deploy", "manifests", "ambit.yaml");
    String fresh = ChartRenderer.toYaml(InstallRendering.defaults(Chart.bundled()));
    assertThat(Files.readString(committed))
        .as(
            "deploy/manifests/ambit.yaml is stale; regenerate it with"
                + " `./ambit install --dry-run > deploy/manifests/ambit.yaml`")
        .isEqualTo(fresh);
  }

  @Test
  void bundledChartIsTheSourceChart() throws Exception {
    Chart source = Chart.load(Path.of("..", "deploy", "helm", "ambit"));
    assertThat(Chart.bundled()).isEqualTo(source);
    assertThat(source.templates().keySet())
        .containsAll(List.of("control.yaml", "ztunnel.yaml", "node-agent.yaml", "rbac.yaml"));
  }
}
