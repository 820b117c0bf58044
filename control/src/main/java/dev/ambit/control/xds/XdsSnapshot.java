package dev.ambit.control.xds;

import java.util.Map;

/**
 * An immutable, consistent set of xDS resources by type URL and name.
 *
 * @param version increasing snapshot number, for logs and {@code system_version_info}
 * @param changedAtNanos {@link System#nanoTime()} of the earliest config change this snapshot
 *     reflects, for the push latency metric
 */
public record XdsSnapshot(
    long version, long changedAtNanos, Map<String, Map<String, XdsResource>> resources) {

  public static final XdsSnapshot EMPTY = new XdsSnapshot(0, System.nanoTime(), Map.of());

  public XdsSnapshot {
    resources = Map.copyOf(resources);
  }

  public Map<String, XdsResource> of(String typeUrl) {
    return resources.getOrDefault(typeUrl, Map.of());
  }
}
