package dev.ambit.control.state;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import dev.ambit.api.Resource;
import dev.ambit.api.security.AuthorizationAction;
import dev.ambit.api.security.AuthorizationPolicySpec;
import dev.ambit.api.security.AuthorizationRule;
import dev.ambit.api.security.Condition;
import dev.ambit.api.security.From;
import dev.ambit.api.security.Operation;
import dev.ambit.api.security.Source;
import dev.ambit.api.security.To;
import dev.ambit.proto.security.Action;
import dev.ambit.proto.security.Address;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.security.Clause;
import dev.ambit.proto.security.Match;
import dev.ambit.proto.security.Rule;
import dev.ambit.proto.security.Scope;
import dev.ambit.proto.security.StringMatch;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Translates an AuthorizationPolicy that ztunnel enforces (no {@code targetRef}s) into the L4
 * {@link Authorization}.
 *
 * <p>Scope: a policy without selector in the root namespace ({@code istio-system}) is GLOBAL, one
 * without selector elsewhere is NAMESPACE, one with a selector is WORKLOAD_SELECTOR (the selected
 * workloads list it in {@code authorization_policies}).
 *
 * <p><b>L7 attributes fail closed.</b> ztunnel never parses HTTP, so it cannot evaluate {@code
 * methods}, {@code paths}, {@code hosts} (and their {@code not} forms) or {@code when} conditions
 * on {@code request.*}. Such a rule is translated so that the policy can only deny more, never
 * allow more:
 *
 * <ul>
 *   <li>ALLOW: the rule is dropped (it can match nothing at L4). An ALLOW policy whose rules were
 *       all dropped keeps zero rules, which ztunnel reads as "allow nothing": once an ALLOW policy
 *       applies, everything it does not allow is denied.
 *   <li>DENY: only the L7 parts are dropped, the L4 parts ({@code from}, ports, L4 conditions)
 *       stay, so the rule denies every request that could have matched (a rule left without any
 *       clause denies everything).
 * </ul>
 *
 * L7 policies belong on a waypoint ({@code targetRefs} to its Gateway or a Service); see {@link
 * L7Authorizations}.
 */
public final class L4Authorizations {

  public static final String ROOT_NAMESPACE = "istio-system";

  private L4Authorizations() {}

  /** Whether ztunnel enforces the policy (workload/namespace/global policies, no targetRefs). */
  public static boolean enforcedByZtunnel(AuthorizationPolicySpec spec) {
    return spec.allTargetRefs().isEmpty();
  }

  public static Authorization translate(Resource<AuthorizationPolicySpec> policy) {
    AuthorizationPolicySpec spec = policy.spec();
    boolean deny = spec.effectiveAction() == AuthorizationAction.DENY;
    Authorization.Builder out =
        Authorization.newBuilder()
            .setName(policy.name())
            .setNamespace(policy.namespace())
            .setScope(scope(policy))
            .setAction(deny ? Action.DENY : Action.ALLOW);
    for (AuthorizationRule rule : spec.rules()) {
      if (rule.isL7() && !deny) {
        continue;
      }
      rule(rule, deny).ifPresent(out::addRules);
    }
    return out.build();
  }

  static Scope scope(Resource<AuthorizationPolicySpec> policy) {
    var selector = policy.spec().selector();
    if (selector != null && !selector.matchLabels().isEmpty()) {
      return Scope.WORKLOAD_SELECTOR;
    }
    return ROOT_NAMESPACE.equals(policy.namespace()) ? Scope.GLOBAL : Scope.NAMESPACE;
  }

  /**
   * L4 parts of a rule. A condition ztunnel cannot evaluate (e.g. {@code connection.sni}) is left
   * out of a DENY rule (denying more) and makes an ALLOW rule match nothing (empty result).
   */
  private static Optional<Rule> rule(AuthorizationRule rule, boolean deny) {
    Rule.Builder out = Rule.newBuilder();
    if (!rule.from().isEmpty()) {
      Clause.Builder clause = Clause.newBuilder();
      for (From from : rule.from()) {
        clause.addMatches(source(from.source()));
      }
      out.addClauses(clause);
    }
    List<Match> ports = new ArrayList<>();
    for (To to : rule.to()) {
      Operation op = to.operation();
      Match.Builder m = Match.newBuilder();
      op.ports().forEach(p -> m.addDestinationPorts(Integer.parseInt(p)));
      op.notPorts().forEach(p -> m.addNotDestinationPorts(Integer.parseInt(p)));
      ports.add(m.build());
    }
    if (!ports.isEmpty()) {
      out.addClauses(Clause.newBuilder().addAllMatches(ports));
    }
    for (Condition c : rule.when()) {
      if (c.isL7()) {
        continue;
      }
      Optional<Match> positive = condition(c.key(), c.values(), false);
      Optional<Match> negative = condition(c.key(), c.notValues(), true);
      if (positive.isEmpty() || negative.isEmpty()) {
        if (deny) {
          continue;
        }
        return Optional.empty();
      }
      if (!c.values().isEmpty()) {
        out.addClauses(Clause.newBuilder().addMatches(positive.get()));
      }
      if (!c.notValues().isEmpty()) {
        out.addClauses(Clause.newBuilder().addMatches(negative.get()));
      }
    }
    return Optional.of(out.build());
  }

  private static Match source(Source s) {
    Match.Builder m = Match.newBuilder();
    s.principals().forEach(p -> m.addPrincipals(stringMatch(p)));
    s.notPrincipals().forEach(p -> m.addNotPrincipals(stringMatch(p)));
    s.namespaces().forEach(n -> m.addNamespaces(stringMatch(n)));
    s.notNamespaces().forEach(n -> m.addNotNamespaces(stringMatch(n)));
    s.ipBlocks().forEach(c -> m.addSourceIps(cidr(c)));
    s.notIpBlocks().forEach(c -> m.addNotSourceIps(cidr(c)));
    return m.build();
  }

  private static Optional<Match> condition(String key, List<String> values, boolean negated) {
    Match.Builder m = Match.newBuilder();
    for (String v : values) {
      switch (key) {
        case "source.ip" -> {
          if (negated) m.addNotSourceIps(cidr(v));
          else m.addSourceIps(cidr(v));
        }
        case "source.namespace" -> {
          if (negated) m.addNotNamespaces(stringMatch(v));
          else m.addNamespaces(stringMatch(v));
        }
        case "source.principal" -> {
          if (negated) m.addNotPrincipals(stringMatch(v));
          else m.addPrincipals(stringMatch(v));
        }
        case "destination.ip" -> {
          if (negated) m.addNotDestinationIps(cidr(v));
          else m.addDestinationIps(cidr(v));
        }
        case "destination.port" -> {
          if (negated) m.addNotDestinationPorts(Integer.parseInt(v));
          else m.addDestinationPorts(Integer.parseInt(v));
        }
        default -> {
          return Optional.empty();
        }
      }
    }
    return Optional.of(m.build());
  }

  /** AuthorizationPolicy string syntax: "*" any (present), "pre*" prefix, "*suf" suffix. */
  static StringMatch stringMatch(String value) {
    if (value.equals("*")) {
      return StringMatch.newBuilder().setPresence(Empty.getDefaultInstance()).build();
    }
    if (value.endsWith("*")) {
      return StringMatch.newBuilder().setPrefix(value.substring(0, value.length() - 1)).build();
    }
    if (value.startsWith("*")) {
      return StringMatch.newBuilder().setSuffix(value.substring(1)).build();
    }
    return StringMatch.newBuilder().setExact(value).build();
  }

  static Address cidr(String cidr) {
    int slash = cidr.indexOf('/');
    byte[] bytes = InetAddress.ofLiteral(slash < 0 ? cidr : cidr.substring(0, slash)).getAddress();
    int length = slash < 0 ? bytes.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
    return Address.newBuilder().setAddress(ByteString.copyFrom(bytes)).setLength(length).build();
  }
}
