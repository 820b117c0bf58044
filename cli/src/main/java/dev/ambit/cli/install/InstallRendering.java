package dev.ambit.cli.install;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code ambit install} renders: the chart for a release, with the release's Namespace
 * rendered too ({@code createNamespace=true}, which {@code --set createNamespace=false} undoes).
 * deploy/manifests/ambit.yaml is {@link #defaults} of the bundled chart.
 */
public final class InstallRendering {
  public static final String DEFAULT_NAMESPACE = "ambit-system";
  public static final String DEFAULT_RELEASE = "ambit";

  private InstallRendering() {}

  public static List<ChartRenderer.Document> render(
      Chart chart, String namespace, String releaseName, List<Path> files, List<String> sets)
      throws IOException {
    List<String> allSets = new ArrayList<>(List.of("createNamespace=true"));
    allSets.addAll(sets);
    Map<String, Object> values = ChartRenderer.values(chart, files, allSets);
    return ChartRenderer.render(chart, new ChartRenderer.Release(releaseName, namespace), values);
  }

  /** The chart rendered with its default values into the default namespace. */
  public static List<ChartRenderer.Document> defaults(Chart chart) throws IOException {
    return render(chart, DEFAULT_NAMESPACE, DEFAULT_RELEASE, List.of(), List.of());
  }
}
