package dev.ambit.control.xds;

import java.util.Map;
import java.util.Set;

/**
 * An immutable, consistent set of xDS resources by type URL and name.
 *
 * @param version increasing snapshot number, for logs and {@code system_version_info}
 * @param changedAtNanos {@link System#nanoTime()} of the earliest config change this snapshot
 *     reflects, for the push latency metric
 * @param delta what changed relative to an earlier set of resources, when the producer knows it
 *     (null otherwise); lets the publisher skip comparing every resource
 */
public record XdsSnapshot(
    long version,
    long changedAtNanos,
    Map<String, Map<String, XdsResource>> resources,
    Delta delta) {

  public static final XdsSnapshot EMPTY = new XdsSnapshot(0, System.nanoTime(), Map.of());

  /**
   * The names, per type URL, that were added, changed or removed relative to {@code base} (the
   * {@link #resources()} of an earlier snapshot; null when there is none).
   */
  public record Delta(
      Map<String, Map<String, XdsResource>> base, Map<String, Set<String>> touched) {}

  public XdsSnapshot {
    resources = Map.copyOf(resources);
  }

  public XdsSnapshot(
      long version, long changedAtNanos, Map<String, Map<String, XdsResource>> resources) {
    this(version, changedAtNanos, resources, null);
  }

  public Map<String, XdsResource> of(String typeUrl) {
    return resources.getOrDefault(typeUrl, Map.of());
  }
}
