package dev.ambit.waypoint.config;

import dev.ambit.proto.waypoint.HttpRoute;
import dev.ambit.proto.waypoint.L7Authorization;
import dev.ambit.proto.workload.Address;
import dev.ambit.waypoint.authz.L7Authorizer;
import dev.ambit.waypoint.route.RouteTable;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** The current {@link WaypointSnapshot}; readers never lock, writers replace it whole. */
public final class ConfigStore {

  private final String namespace;
  private final String gateway;
  private final AtomicReference<WaypointSnapshot> current;
  private volatile boolean received;
  private final List<Consumer<WaypointSnapshot>> listeners = new CopyOnWriteArrayList<>();

  /**
   * @param namespace the waypoint's namespace
   * @param gateway the waypoint's Gateway name (also the name of its Service)
   */
  public ConfigStore(String namespace, String gateway) {
    this.namespace = namespace;
    this.gateway = gateway;
    this.current = new AtomicReference<>(WaypointSnapshot.empty(namespace, gateway));
  }

  public String namespace() {
    return namespace;
  }

  public String gateway() {
    return gateway;
  }

  public WaypointSnapshot snapshot() {
    return current.get();
  }

  /** True once a full configuration was applied (readiness). */
  public boolean received() {
    return received;
  }

  public void update(
      Collection<Address> addresses,
      Collection<HttpRoute> routes,
      Collection<L7Authorization> policies) {
    WaypointSnapshot next =
        new WaypointSnapshot(
            MeshView.of(addresses),
            RouteTable.of(routes),
            L7Authorizer.of(namespace, gateway, policies));
    current.set(next);
    received = true;
    listeners.forEach(l -> l.accept(next));
  }

  /** Called after each update with the new snapshot (on the updating thread). */
  public void onUpdate(Consumer<WaypointSnapshot> listener) {
    listeners.add(listener);
  }
}
