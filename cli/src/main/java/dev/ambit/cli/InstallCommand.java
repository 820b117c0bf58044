package dev.ambit.cli;

import dev.ambit.cli.install.Chart;
import dev.ambit.cli.install.ChartRenderer;
import dev.ambit.cli.install.InstallRendering;
import dev.ambit.cli.install.ManifestApplier;
import dev.ambit.cli.install.TemplateException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ambit install}: renders the Ambit chart (bundled, or {@code --chart DIR}) and applies it
 * to the cluster of the current kubeconfig with server-side apply, or prints it ({@code
 * --dry-run}).
 */
@Command(
    name = "install",
    mixinStandardHelpOptions = true,
    description =
        "Install Ambit into the Kubernetes cluster of the current kubeconfig (server-side apply),"
            + " or print the manifests with --dry-run.")
final class InstallCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--dry-run", description = "Print the manifests instead of applying them.")
  boolean dryRun;

  @Option(
      names = {"-f", "--values"},
      paramLabel = "FILE",
      description = "Values file overriding the chart's values.yaml (repeatable, in order).")
  List<Path> valueFiles = new ArrayList<>();

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Set a value, e.g. control.replicas=2 (repeatable; applied after -f).")
  List<String> sets = new ArrayList<>();

  @Option(
      names = {"-n", "--namespace"},
      defaultValue = InstallRendering.DEFAULT_NAMESPACE,
      description = "Namespace of the installation (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = "--release-name",
      defaultValue = InstallRendering.DEFAULT_RELEASE,
      description = "Release name (default: ${DEFAULT-VALUE}).")
  String releaseName;

  @Option(
      names = "--chart",
      paramLabel = "DIR",
      description = "Render this chart directory instead of the bundled one.")
  Path chartDir;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<ChartRenderer.Document> documents;
    try {
      Chart chart = chartDir == null ? Chart.bundled() : Chart.load(chartDir);
      documents = InstallRendering.render(chart, namespace, releaseName, valueFiles, sets);
    } catch (TemplateException | IllegalArgumentException e) {
      err.println("ambit install: " + e.getMessage());
      return 1;
    }
    if (dryRun) {
      out.print(ChartRenderer.toYaml(documents));
      out.flush();
      return 0;
    }
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      new ManifestApplier(client).apply(documents, out);
    } catch (KubernetesClientException e) {
      err.println("ambit install: " + e.getMessage());
      return 1;
    }
    return 0;
  }
}
