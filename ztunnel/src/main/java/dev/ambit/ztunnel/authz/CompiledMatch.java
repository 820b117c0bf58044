package dev.ambit.ztunnel.authz;

import dev.ambit.proto.security.Match;
import dev.ambit.proto.security.StringMatch;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One {@link Match}: every field that is set must hold (values of a field are OR-ed); a {@code
 * not_} field fails the match when any of its values holds.
 */
final class CompiledMatch {

  private static final StringMatcher[] NO_STRINGS = new StringMatcher[0];
  private static final Cidr[] NO_CIDRS = new Cidr[0];

  private final StringMatcher[] namespaces;
  private final StringMatcher[] notNamespaces;
  private final StringMatcher[] principals;
  private final StringMatcher[] notPrincipals;
  private final Cidr[] sourceIps;
  private final Cidr[] notSourceIps;
  private final Cidr[] destinationIps;
  private final Cidr[] notDestinationIps;
  private final int[] ports;
  private final int[] notPorts;

  CompiledMatch(Match m) {
    namespaces = strings(m.getNamespacesList(), false);
    notNamespaces = strings(m.getNotNamespacesList(), false);
    principals = strings(m.getPrincipalsList(), true);
    notPrincipals = strings(m.getNotPrincipalsList(), true);
    sourceIps = cidrs(m.getSourceIpsList());
    notSourceIps = cidrs(m.getNotSourceIpsList());
    destinationIps = cidrs(m.getDestinationIpsList());
    notDestinationIps = cidrs(m.getNotDestinationIpsList());
    ports = m.getDestinationPortsList().stream().mapToInt(Integer::intValue).toArray();
    notPorts = m.getNotDestinationPortsList().stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * The values of {@code field} this match requires (the connection's value must be one of them:
   * exact principals or namespaces, source blocks, ports), or null when it does not require a value
   * from a known set.
   */
  Set<Object> required(IndexedField field) {
    return switch (field) {
      case PRINCIPAL -> exactValues(principals);
      case NAMESPACE -> exactValues(namespaces);
      case SOURCE_IP -> sourceIps.length == 0 ? null : new HashSet<>(Arrays.asList(sourceIps));
      case PORT -> ports.length == 0 ? null : new HashSet<>(Arrays.stream(ports).boxed().toList());
    };
  }

  private static Set<Object> exactValues(StringMatcher[] matchers) {
    if (matchers.length == 0) {
      return null;
    }
    Set<Object> out = new HashSet<>();
    for (StringMatcher m : matchers) {
      if (!(m instanceof StringMatcher.Exact e)) {
        return null;
      }
      out.add(e.value());
    }
    return out;
  }

  boolean matches(ConnectionAttributes c) {
    return strings(namespaces, notNamespaces, c.sourceNamespace())
        && strings(principals, notPrincipals, c.sourcePrincipal())
        && cidrs(sourceIps, notSourceIps, c.sourceIp())
        && cidrs(destinationIps, notDestinationIps, c.destinationIp())
        && ports(c.destinationPort());
  }

  /**
   * A value absent from the connection (plaintext peer) satisfies no positive matcher; {@code not_}
   * matchers are tested against the empty string, so presence never excludes it.
   */
  private static boolean strings(StringMatcher[] yes, StringMatcher[] no, String value) {
    if (yes.length > 0 && (value.isEmpty() || !any(yes, value))) {
      return false;
    }
    return no.length == 0 || !any(no, value);
  }

  private static boolean any(StringMatcher[] matchers, String value) {
    for (StringMatcher m : matchers) {
      if (m.matches(value)) {
        return true;
      }
    }
    return false;
  }

  private static boolean cidrs(Cidr[] yes, Cidr[] no, byte[] ip) {
    if (yes.length > 0 && !any(yes, ip)) {
      return false;
    }
    return no.length == 0 || !any(no, ip);
  }

  private static boolean any(Cidr[] cidrs, byte[] ip) {
    for (Cidr c : cidrs) {
      if (c.contains(ip)) {
        return true;
      }
    }
    return false;
  }

  private boolean ports(int port) {
    if (ports.length > 0 && !contains(ports, port)) {
      return false;
    }
    return notPorts.length == 0 || !contains(notPorts, port);
  }

  private static boolean contains(int[] values, int value) {
    for (int v : values) {
      if (v == value) {
        return true;
      }
    }
    return false;
  }

  private static StringMatcher[] strings(List<StringMatch> list, boolean principal) {
    return list.isEmpty()
        ? NO_STRINGS
        : list.stream().map(s -> StringMatcher.of(s, principal)).toArray(StringMatcher[]::new);
  }

  private static Cidr[] cidrs(List<dev.ambit.proto.security.Address> list) {
    return list.isEmpty() ? NO_CIDRS : list.stream().map(Cidr::of).toArray(Cidr[]::new);
  }
}
