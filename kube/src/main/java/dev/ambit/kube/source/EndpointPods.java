package dev.ambit.kube.source;

import dev.ambit.api.Resource;
import dev.ambit.api.core.ServiceSpec;
import dev.ambit.control.state.Labels;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The endpoints of a Service without a selector, from its EndpointSlices: the pods its endpoints
 * refer to ({@code targetRef} of kind Pod in the Service's namespace) that are ready ({@code
 * conditions.ready} true or unset), written to the annotation {@value Labels#ENDPOINT_PODS} of the
 * translated Service. A Service with a selector gets its endpoints from the selector, as in local
 * mode; an annotation of that name set on the Kubernetes object itself is never taken over.
 */
final class EndpointPods {

  static final String SERVICE_NAME = "kubernetes.io/service-name";

  private EndpointPods() {}

  static String serviceName(EndpointSlice slice) {
    Map<String, String> labels = slice.getMetadata().getLabels();
    return labels == null ? null : labels.get(SERVICE_NAME);
  }

  static Resource<?> annotate(Resource<?> translated, Collection<EndpointSlice> slices) {
    ServiceSpec spec = translated.as(ServiceSpec.class).orElseThrow().spec();
    Map<String, String> annotations = new LinkedHashMap<>(translated.metadata().annotations());
    annotations.remove(Labels.ENDPOINT_PODS);
    if (spec.selector().isEmpty()) {
      TreeSet<String> pods = new TreeSet<>();
      for (EndpointSlice slice : slices) {
        if (!Objects.equals(slice.getMetadata().getNamespace(), translated.namespace())
            || !translated.name().equals(serviceName(slice))
            || slice.getEndpoints() == null) {
          continue;
        }
        for (Endpoint e : slice.getEndpoints()) {
          if (isReadyPod(e, translated.namespace())) {
            pods.add(e.getTargetRef().getName());
          }
        }
      }
      if (!pods.isEmpty()) {
        annotations.put(Labels.ENDPOINT_PODS, String.join(",", pods));
      }
    }
    return translated.withMetadata(translated.metadata().withAnnotations(annotations));
  }

  private static boolean isReadyPod(Endpoint e, String namespace) {
    var ref = e.getTargetRef();
    boolean pod =
        ref != null
            && "Pod".equals(ref.getKind())
            && ref.getName() != null
            && (ref.getNamespace() == null || namespace.equals(ref.getNamespace()));
    boolean ready =
        e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady());
    return pod && ready;
  }
}
