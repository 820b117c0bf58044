package dev.ambit.api.gateway;

import dev.ambit.api.Spec;
import dev.ambit.api.Values;
import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.Checks;
import dev.ambit.api.schema.NotImplemented;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;
import dev.ambit.api.schema.SelfCheck;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A Gateway API Gateway. With {@code gatewayClassName: istio-waypoint} it declares a waypoint. */
@NotImplemented({"addresses", "backendTLS", "allowedListeners"})
public record GatewaySpec(
    @Required @Check(Rule.DNS_SUBDOMAIN) String gatewayClassName,
    @Required List<Listener> listeners,
    GatewayInfrastructure infrastructure)
    implements Spec, SelfCheck {

  /** The class name of waypoints. */
  public static final String WAYPOINT_CLASS = "istio-waypoint";

  public GatewaySpec {
    listeners = Values.list(listeners);
  }

  public boolean isWaypoint() {
    return WAYPOINT_CLASS.equals(gatewayClassName);
  }

  @Override
  public void check(Checks checks) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < listeners.size(); i++) {
      if (!names.add(listeners.get(i).name())) {
        checks.error(
            "listeners[" + i + "].name",
            "duplicate listener name \"" + listeners.get(i).name() + "\"");
      }
    }
  }
}
