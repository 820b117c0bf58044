package dev.ambit.waypoint.authz;

import dev.ambit.proto.waypoint.Action;
import dev.ambit.proto.waypoint.Condition;
import dev.ambit.proto.waypoint.L7Authorization;
import dev.ambit.proto.waypoint.Operation;
import dev.ambit.proto.waypoint.Rule;
import dev.ambit.proto.waypoint.Source;
import java.net.InetAddress;
import java.util.List;

/**
 * Whether one policy's rules match a request. An attribute the request does not carry (HTTP fields
 * on a TCP connection, an unsupported {@code when} key) makes the field fail closed: it never
 * matches in an ALLOW policy and always matches in a DENY policy.
 */
final class PolicyMatcher {

  private final L7Authorization policy;
  private final boolean unknownMatches;

  PolicyMatcher(L7Authorization policy) {
    this.policy = policy;
    this.unknownMatches = policy.getAction() == Action.DENY;
    validate(policy);
  }

  private static void validate(L7Authorization p) {
    for (Rule r : p.getRulesList()) {
      for (Source s : r.getFromList()) {
        s.getIpBlocksList().forEach(Cidr::parse);
        s.getNotIpBlocksList().forEach(Cidr::parse);
      }
      for (Condition c : r.getWhenList()) {
        if (c.getKey().equals("source.ip") || c.getKey().equals("remote.ip")) {
          c.getValuesList().forEach(Cidr::parse);
          c.getNotValuesList().forEach(Cidr::parse);
        }
      }
    }
  }

  L7Authorization policy() {
    return policy;
  }

  boolean matches(AuthzRequest req) {
    for (Rule r : policy.getRulesList()) {
      if (r.getMatchAll() || (from(r, req) && to(r, req) && when(r, req))) {
        return true;
      }
    }
    return false;
  }

  private boolean from(Rule r, AuthzRequest req) {
    if (r.getFromCount() == 0) {
      return true;
    }
    for (Source s : r.getFromList()) {
      if (source(s, req)) {
        return true;
      }
    }
    return false;
  }

  private boolean source(Source s, AuthzRequest req) {
    String principal = req.policyPrincipal();
    String ns = req.sourceNamespace();
    return positive(s.getPrincipalsList(), principal, false)
        && negative(s.getNotPrincipalsList(), principal, false)
        && positive(s.getNamespacesList(), ns, false)
        && negative(s.getNotNamespacesList(), ns, false)
        && (s.getIpBlocksCount() == 0 || inBlocks(s.getIpBlocksList(), req.sourceIp()))
        && (s.getNotIpBlocksCount() == 0 || !inBlocks(s.getNotIpBlocksList(), req.sourceIp()));
  }

  private boolean to(Rule r, AuthzRequest req) {
    if (r.getToCount() == 0) {
      return true;
    }
    for (Operation o : r.getToList()) {
      if (operation(o, req)) {
        return true;
      }
    }
    return false;
  }

  private boolean operation(Operation o, AuthzRequest req) {
    String port = String.valueOf(req.destinationPort());
    return positive(o.getPortsList(), port, false)
        && negative(o.getNotPortsList(), port, false)
        && httpField(o.getHostsList(), o.getNotHostsList(), req, Field.HOST)
        && httpField(o.getMethodsList(), o.getNotMethodsList(), req, Field.METHOD)
        && httpField(o.getPathsList(), o.getNotPathsList(), req, Field.PATH);
  }

  private enum Field {
    HOST,
    METHOD,
    PATH
  }

  private boolean httpField(List<String> in, List<String> notIn, AuthzRequest req, Field f) {
    if (in.isEmpty() && notIn.isEmpty()) {
      return true;
    }
    if (!req.http()) {
      return unknownMatches;
    }
    return switch (f) {
      case METHOD -> positive(in, req.method(), false) && negative(notIn, req.method(), false);
      case PATH -> positive(in, req.path(), false) && negative(notIn, req.path(), false);
      case HOST -> hostIn(in, req.host(), true) && !hostIn(notIn, req.host(), false);
    };
  }

  private static boolean hostIn(List<String> patterns, String host, boolean emptyResult) {
    if (patterns.isEmpty()) {
      return emptyResult;
    }
    if (StringMatch.any(patterns, host, true)) {
      return true;
    }
    int colon = host == null ? -1 : host.lastIndexOf(':');
    return colon > 0
        && host.indexOf(']') < colon
        && StringMatch.any(patterns, host.substring(0, colon), true);
  }

  private boolean when(Rule r, AuthzRequest req) {
    for (Condition c : r.getWhenList()) {
      if (!condition(c, req)) {
        return false;
      }
    }
    return true;
  }

  private boolean condition(Condition c, AuthzRequest req) {
    String key = c.getKey();
    if (key.equals("source.ip") || key.equals("remote.ip")) {
      return (c.getValuesCount() == 0 || inBlocks(c.getValuesList(), req.sourceIp()))
          && (c.getNotValuesCount() == 0 || !inBlocks(c.getNotValuesList(), req.sourceIp()));
    }
    String value;
    if (key.startsWith("request.headers[") && key.endsWith("]")) {
      if (!req.http()) {
        return unknownMatches;
      }
      value = req.headers().get(key.substring("request.headers[".length(), key.length() - 1));
    } else {
      switch (key) {
        case "source.principal" -> value = req.policyPrincipal();
        case "source.namespace" -> value = req.sourceNamespace();
        case "destination.port" -> value = String.valueOf(req.destinationPort());
        default -> {
          return unknownMatches;
        }
      }
    }
    return positive(c.getValuesList(), value, false)
        && negative(c.getNotValuesList(), value, false);
  }

  private static boolean positive(List<String> patterns, String value, boolean ignoreCase) {
    return patterns.isEmpty() || StringMatch.any(patterns, value, ignoreCase);
  }

  private static boolean negative(List<String> patterns, String value, boolean ignoreCase) {
    return patterns.isEmpty() || !StringMatch.any(patterns, value, ignoreCase);
  }

  private static boolean inBlocks(List<String> blocks, InetAddress ip) {
    if (ip == null) {
      return false;
    }
    for (String b : blocks) {
      if (Cidr.parse(b).contains(ip)) {
        return true;
      }
    }
    return false;
  }
}
