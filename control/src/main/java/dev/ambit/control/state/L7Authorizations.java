package dev.ambit.control.state;

import dev.ambit.api.Resource;
import dev.ambit.api.security.AuthorizationAction;
import dev.ambit.api.security.AuthorizationPolicySpec;
import dev.ambit.api.security.AuthorizationRule;
import dev.ambit.api.security.PolicyTargetReference;
import dev.ambit.proto.waypoint.Action;
import dev.ambit.proto.waypoint.Condition;
import dev.ambit.proto.waypoint.L7Authorization;
import dev.ambit.proto.waypoint.Operation;
import dev.ambit.proto.waypoint.Rule;
import dev.ambit.proto.waypoint.Source;
import dev.ambit.proto.waypoint.TargetRef;

/**
 * Translates an AuthorizationPolicy with {@code targetRef(s)} (a waypoint's Gateway or a Service
 * behind a waypoint) into the waypoint's {@link L7Authorization}; string values keep the policy
 * syntax and the waypoint evaluates them.
 */
public final class L7Authorizations {

  private L7Authorizations() {}

  public static boolean enforcedByWaypoint(AuthorizationPolicySpec spec) {
    return !spec.allTargetRefs().isEmpty();
  }

  public static L7Authorization translate(Resource<AuthorizationPolicySpec> policy) {
    AuthorizationPolicySpec spec = policy.spec();
    L7Authorization.Builder out =
        L7Authorization.newBuilder()
            .setName(policy.name())
            .setNamespace(policy.namespace())
            .setAction(
                spec.effectiveAction() == AuthorizationAction.DENY ? Action.DENY : Action.ALLOW);
    for (PolicyTargetReference t : spec.allTargetRefs()) {
      out.addTargets(
          TargetRef.newBuilder()
              .setKind(t.kind())
              .setNamespace(t.namespace() == null ? policy.namespace() : t.namespace())
              .setName(t.name()));
    }
    for (AuthorizationRule r : spec.rules()) {
      Rule.Builder rule = Rule.newBuilder();
      rule.setMatchAll(r.from().isEmpty() && r.to().isEmpty() && r.when().isEmpty());
      r.from()
          .forEach(
              f ->
                  rule.addFrom(
                      Source.newBuilder()
                          .addAllPrincipals(f.source().principals())
                          .addAllNotPrincipals(f.source().notPrincipals())
                          .addAllNamespaces(f.source().namespaces())
                          .addAllNotNamespaces(f.source().notNamespaces())
                          .addAllIpBlocks(f.source().ipBlocks())
                          .addAllNotIpBlocks(f.source().notIpBlocks())));
      r.to()
          .forEach(
              t ->
                  rule.addTo(
                      Operation.newBuilder()
                          .addAllHosts(t.operation().hosts())
                          .addAllNotHosts(t.operation().notHosts())
                          .addAllPorts(t.operation().ports())
                          .addAllNotPorts(t.operation().notPorts())
                          .addAllMethods(t.operation().methods())
                          .addAllNotMethods(t.operation().notMethods())
                          .addAllPaths(t.operation().paths())
                          .addAllNotPaths(t.operation().notPaths())));
      r.when()
          .forEach(
              c ->
                  rule.addWhen(
                      Condition.newBuilder()
                          .setKey(c.key())
                          .addAllValues(c.values())
                          .addAllNotValues(c.notValues())));
      out.addRules(rule);
    }
    return out.build();
  }
}
