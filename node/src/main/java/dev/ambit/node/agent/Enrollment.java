package dev.ambit.node.agent;

import java.util.Map;

/**
 * Whether a pod belongs in the mesh: label {@value #LABEL} "ambient" on the pod or its namespace
 * enrolls it; "none" on the pod opts it out.
 */
public final class Enrollment {
  public static final String LABEL = "istio.io/dataplane-mode";
  public static final String AMBIENT = "ambient";
  public static final String NONE = "none";

  private Enrollment() {}

  public static boolean inMesh(PodSpec pod, Map<String, String> namespaceLabels) {
    String own = pod.labels().get(LABEL);
    if (NONE.equals(own)) {
      return false;
    }
    if (AMBIENT.equals(own)) {
      return true;
    }
    return namespaceLabels != null && AMBIENT.equals(namespaceLabels.get(LABEL));
  }
}
