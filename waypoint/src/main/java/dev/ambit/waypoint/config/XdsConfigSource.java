package dev.ambit.waypoint.config;

import dev.ambit.proto.waypoint.HttpRoute;
import dev.ambit.proto.waypoint.L7Authorization;
import dev.ambit.proto.workload.Address;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Folds xDS deltas of the three types a waypoint subscribes to into full state, and publishes a new
 * {@link WaypointSnapshot} after each change. Readiness waits for the first response of every type
 * ({@link #synced}).
 */
public final class XdsConfigSource {

  private final ConfigStore store;
  private final Map<String, Address> addresses = new HashMap<>();
  private final Map<String, HttpRoute> routes = new HashMap<>();
  private final Map<String, L7Authorization> policies = new HashMap<>();
  private boolean synced;

  public XdsConfigSource(ConfigStore store) {
    this.store = store;
  }

  public synchronized void onAddresses(Map<String, Address> upserts, Set<String> removals) {
    apply(addresses, upserts, removals);
  }

  public synchronized void onRoutes(Map<String, HttpRoute> upserts, Set<String> removals) {
    apply(routes, upserts, removals);
  }

  public synchronized void onPolicies(Map<String, L7Authorization> upserts, Set<String> removals) {
    apply(policies, upserts, removals);
  }

  /** Every type has been received once: start serving. */
  public synchronized void synced() {
    synced = true;
    publish();
  }

  private <T> void apply(Map<String, T> state, Map<String, T> upserts, Set<String> removals) {
    state.keySet().removeAll(removals);
    state.putAll(upserts);
    if (synced) {
      publish();
    }
  }

  private void publish() {
    store.update(
        List.copyOf(addresses.values()),
        List.copyOf(routes.values()),
        List.copyOf(policies.values()));
  }
}
