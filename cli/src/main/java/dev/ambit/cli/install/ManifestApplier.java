package dev.ambit.cli.install;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.util.List;

/**
 * Applies rendered manifests to a cluster with server-side apply, in the given (install) order,
 * owning the fields as {@value #FIELD_MANAGER}; a field another manager owns is taken over.
 */
public final class ManifestApplier {
  static final String FIELD_MANAGER = "ambit-install";

  private final KubernetesClient client;

  public ManifestApplier(KubernetesClient client) {
    this.client = client;
  }

  /** Applies every document; prints one line per object; stops at the first failure. */
  public void apply(List<ChartRenderer.Document> documents, PrintWriter out) {
    for (ChartRenderer.Document d : documents) {
      HasMetadata resource = client.getKubernetesSerialization().unmarshal(d.yaml());
      client.resource(resource).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
      String ns = resource.getMetadata().getNamespace();
      out.println(
          resource.getKind()
              + " "
              + (ns == null ? "" : ns + "/")
              + resource.getMetadata().getName()
              + " applied");
      out.flush();
    }
  }
}
