package dev.ambit.api;

import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.CheckKeys;
import dev.ambit.api.schema.NotImplemented;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;
import java.time.Instant;
import java.util.Map;

/**
 * Kubernetes object metadata. {@code namespace} is null only for cluster-scoped kinds (readers
 * default it to "default" for namespaced ones). {@code uid}, {@code resourceVersion}, {@code
 * generation} and {@code creationTimestamp} are set by the {@link dev.ambit.api.store.ConfigStore}.
 */
@NotImplemented({
  "generateName",
  "ownerReferences",
  "finalizers",
  "managedFields",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "selfLink"
})
public record ObjectMeta(
    @Required String name,
    @Check(Rule.DNS_LABEL) String namespace,
    @CheckKeys(Rule.LABEL_KEY) @Check(Rule.LABEL_VALUE) Map<String, String> labels,
    @CheckKeys(Rule.LABEL_KEY) Map<String, String> annotations,
    String uid,
    String resourceVersion,
    Long generation,
    Instant creationTimestamp) {

  public ObjectMeta {
    labels = Values.map(labels);
    annotations = Values.map(annotations);
  }

  /** Metadata with only a name and namespace. */
  public static ObjectMeta of(String namespace, String name) {
    return new ObjectMeta(name, namespace, Map.of(), Map.of(), null, null, null, null);
  }

  public ObjectMeta withNamespace(String ns) {
    return new ObjectMeta(
        name, ns, labels, annotations, uid, resourceVersion, generation, creationTimestamp);
  }

  public ObjectMeta withLabels(Map<String, String> newLabels) {
    return new ObjectMeta(
        name,
        namespace,
        newLabels,
        annotations,
        uid,
        resourceVersion,
        generation,
        creationTimestamp);
  }

  public ObjectMeta withAnnotations(Map<String, String> newAnnotations) {
    return new ObjectMeta(
        name,
        namespace,
        labels,
        newAnnotations,
        uid,
        resourceVersion,
        generation,
        creationTimestamp);
  }

  /** The same metadata with the fields a store manages replaced. */
  public ObjectMeta withSystemFields(
      String newUid, String newResourceVersion, Long newGeneration, Instant created) {
    return new ObjectMeta(
        name, namespace, labels, annotations, newUid, newResourceVersion, newGeneration, created);
  }
}
