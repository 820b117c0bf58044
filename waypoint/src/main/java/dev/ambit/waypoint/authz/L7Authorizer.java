package dev.ambit.waypoint.authz;

import dev.ambit.proto.waypoint.Action;
import dev.ambit.proto.waypoint.L7Authorization;
import dev.ambit.proto.waypoint.TargetRef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * L7 authorization for one waypoint: the policies that target its Gateway or a Service behind it.
 * Any matching DENY denies; with no ALLOW policy the request is allowed; otherwise a matching ALLOW
 * is required. A policy that cannot be compiled denies everything it targets (fail closed).
 */
public final class L7Authorizer {

  private static final Logger LOG = LoggerFactory.getLogger(L7Authorizer.class);

  private final String gatewayNamespace;
  private final String gatewayName;
  private final List<Compiled> policies;

  private record Compiled(L7Authorization policy, PolicyMatcher matcher) {}

  private L7Authorizer(String gatewayNamespace, String gatewayName, List<Compiled> policies) {
    this.gatewayNamespace = gatewayNamespace;
    this.gatewayName = gatewayName;
    this.policies = policies;
  }

  public static L7Authorizer of(
      String gatewayNamespace, String gatewayName, Collection<L7Authorization> policies) {
    List<Compiled> compiled = new ArrayList<>();
    for (L7Authorization p : policies) {
      PolicyMatcher m;
      try {
        m = new PolicyMatcher(p);
      } catch (RuntimeException e) {
        LOG.warn(
            "L7Authorization {}/{} is invalid ({}); denying what it targets",
            p.getNamespace(),
            p.getName(),
            e.getMessage());
        L7Authorization denyAll =
            p.toBuilder()
                .setAction(Action.DENY)
                .clearRules()
                .addRules(dev.ambit.proto.waypoint.Rule.newBuilder().setMatchAll(true))
                .build();
        m = new PolicyMatcher(denyAll);
      }
      compiled.add(new Compiled(p, m));
    }
    return new L7Authorizer(gatewayNamespace, gatewayName, List.copyOf(compiled));
  }

  /**
   * The verdict for a request to the given service (null service: a workload addressed directly).
   */
  public Decision evaluate(String serviceNamespace, String serviceName, AuthzRequest req) {
    boolean anyAllow = false;
    for (Compiled c : policies) {
      if (!targets(c.policy, serviceNamespace, serviceName)
          || c.matcher.policy().getAction() != Action.DENY) {
        continue;
      }
      if (c.matcher.matches(req)) {
        return new Decision(false, name(c.policy));
      }
    }
    for (Compiled c : policies) {
      if (!targets(c.policy, serviceNamespace, serviceName)
          || c.matcher.policy().getAction() != Action.ALLOW) {
        continue;
      }
      anyAllow = true;
      if (c.matcher.matches(req)) {
        return new Decision(true, name(c.policy));
      }
    }
    return anyAllow ? new Decision(false, "") : new Decision(true, "");
  }

  private boolean targets(L7Authorization p, String serviceNamespace, String serviceName) {
    for (TargetRef t : p.getTargetsList()) {
      String ns = t.getNamespace().isEmpty() ? p.getNamespace() : t.getNamespace();
      if (t.getKind().equals("Gateway")
          && ns.equals(gatewayNamespace)
          && t.getName().equals(gatewayName)) {
        return true;
      }
      if (t.getKind().equals("Service")
          && serviceName != null
          && ns.equals(serviceNamespace)
          && t.getName().equals(serviceName)) {
        return true;
      }
    }
    return false;
  }

  private static String name(L7Authorization p) {
    return p.getNamespace() + "/" + p.getName();
  }

  /**
   * @param policy "ns/name" of the deciding policy, "" when no policy decided
   */
  public record Decision(boolean allowed, String policy) {}
}
