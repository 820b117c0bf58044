package dev.ambit.control.state;

import com.google.protobuf.Empty;
import dev.ambit.api.Resource;
import dev.ambit.api.security.MtlsMode;
import dev.ambit.api.security.MutualTls;
import dev.ambit.api.security.PeerAuthenticationSpec;
import dev.ambit.proto.security.Action;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.security.Clause;
import dev.ambit.proto.security.Match;
import dev.ambit.proto.security.Rule;
import dev.ambit.proto.security.Scope;
import dev.ambit.proto.security.StringMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * PeerAuthentication, enforced by ztunnel through L4 authorization: a workload whose effective mode
 * is STRICT refuses connections without an authenticated peer (plaintext arriving on 15006).
 *
 * <p>The effective mode of a workload: the PeerAuthentication with a selector matching it (the
 * first by name when several do), else its namespace's (no selector), else the mesh's (no selector
 * in the root namespace {@value L4Authorizations#ROOT_NAMESPACE}); UNSET at one level inherits the
 * next; nothing set is PERMISSIVE. DISABLE behaves as PERMISSIVE (ztunnel accepts plaintext).
 *
 * <p>Translation: a DENY {@link Authorization} whose only rule matches connections <i>without</i> a
 * principal ({@code not_principals: [presence]}), scope WORKLOAD_SELECTOR, named in the {@code
 * authorization_policies} of each workload it applies to:
 *
 * <ul>
 *   <li>{@value #STATIC_STRICT}: the shared policy of every STRICT workload without port-level
 *       settings (present whenever a PeerAuthentication exists);
 *   <li>{@code <ns>/converted_peer_authentication_<name>}: a workload PeerAuthentication with
 *       {@code portLevelMtls}; its rule also matches the ports that are STRICT (or, for a STRICT
 *       workload, every port except the relaxed ones).
 * </ul>
 */
final class PeerAuthentications {

  static final String STATIC_STRICT =
      L4Authorizations.ROOT_NAMESPACE + "/istio_converted_static_strict";
  private static final String CONVERTED_PREFIX = "converted_peer_authentication_";

  private PeerAuthentications() {}

  static String convertedName(Resource<PeerAuthenticationSpec> pa) {
    return pa.namespace() + "/" + CONVERTED_PREFIX + pa.name();
  }

  static boolean hasSelector(PeerAuthenticationSpec spec) {
    return spec.selector() != null && !spec.selector().matchLabels().isEmpty();
  }

  private static MtlsMode mode(MutualTls mtls) {
    return mtls == null || mtls.mode() == null ? MtlsMode.UNSET : mtls.mode();
  }

  /** The mesh-wide mode (UNSET when no mesh-wide PeerAuthentication sets one). */
  static MtlsMode meshMode(ConfigIndex index) {
    return levelMode(index, L4Authorizations.ROOT_NAMESPACE);
  }

  private static MtlsMode levelMode(ConfigIndex index, String ns) {
    for (Resource<PeerAuthenticationSpec> pa : index.peerAuthentications(ns)) {
      if (!hasSelector(pa.spec())) {
        return mode(pa.spec().mtls());
      }
    }
    return MtlsMode.UNSET;
  }

  /** The mode of a namespace's workloads without a workload PeerAuthentication. */
  static MtlsMode namespaceMode(ConfigIndex index, String ns) {
    MtlsMode own = levelMode(index, ns);
    return own != MtlsMode.UNSET ? own : meshMode(index);
  }

  /** The PeerAuthentication selecting a workload with {@code labels}, if any. */
  static Optional<Resource<PeerAuthenticationSpec>> forWorkload(
      ConfigIndex index, String ns, Map<String, String> labels) {
    for (Resource<PeerAuthenticationSpec> pa : index.peerAuthentications(ns)) {
      if (hasSelector(pa.spec()) && pa.spec().selector().matches(labels)) {
        return Optional.of(pa);
      }
    }
    return Optional.empty();
  }

  /** The L4 policy enforcing the workload's mode, or empty when it accepts plaintext. */
  static Optional<String> policyName(ConfigIndex index, String ns, Map<String, String> labels) {
    Optional<Resource<PeerAuthenticationSpec>> own = forWorkload(index, ns, labels);
    MtlsMode inherited = namespaceMode(index, ns);
    if (own.isPresent()) {
      if (!own.get().spec().portLevelMtls().isEmpty()) {
        return translate(own.get(), inherited).map(a -> convertedName(own.get()));
      }
      MtlsMode m = mode(own.get().spec().mtls());
      if (m != MtlsMode.UNSET) {
        return m == MtlsMode.STRICT ? Optional.of(STATIC_STRICT) : Optional.empty();
      }
    }
    return inherited == MtlsMode.STRICT ? Optional.of(STATIC_STRICT) : Optional.empty();
  }

  /** The shared policy of STRICT workloads. */
  static Authorization staticStrict() {
    int slash = STATIC_STRICT.indexOf('/');
    return Authorization.newBuilder()
        .setName(STATIC_STRICT.substring(slash + 1))
        .setNamespace(STATIC_STRICT.substring(0, slash))
        .setScope(Scope.WORKLOAD_SELECTOR)
        .setAction(Action.DENY)
        .addRules(Rule.newBuilder().addClauses(withoutPrincipal()))
        .build();
  }

  /**
   * The policy of a workload PeerAuthentication with port-level settings, given the mode its
   * namespace (or the mesh) gives; empty when every port accepts plaintext.
   */
  static Optional<Authorization> translate(
      Resource<PeerAuthenticationSpec> pa, MtlsMode inherited) {
    if (!hasSelector(pa.spec()) || pa.spec().portLevelMtls().isEmpty()) {
      return Optional.empty();
    }
    MtlsMode base = mode(pa.spec().mtls());
    if (base == MtlsMode.UNSET) {
      base = inherited;
    }
    List<Integer> strict = new ArrayList<>();
    List<Integer> relaxed = new ArrayList<>();
    for (var e : new java.util.TreeMap<>(pa.spec().portLevelMtls()).entrySet()) {
      MtlsMode m = mode(e.getValue());
      MtlsMode effective = m == MtlsMode.UNSET ? base : m;
      (effective == MtlsMode.STRICT ? strict : relaxed).add(Integer.parseInt(e.getKey()));
    }
    Rule.Builder rule = Rule.newBuilder().addClauses(withoutPrincipal());
    if (base == MtlsMode.STRICT) {
      if (!relaxed.isEmpty()) {
        rule.addClauses(
            Clause.newBuilder().addMatches(Match.newBuilder().addAllNotDestinationPorts(relaxed)));
      }
    } else if (strict.isEmpty()) {
      return Optional.empty();
    } else {
      rule.addClauses(
          Clause.newBuilder().addMatches(Match.newBuilder().addAllDestinationPorts(strict)));
    }
    return Optional.of(
        Authorization.newBuilder()
            .setName(CONVERTED_PREFIX + pa.name())
            .setNamespace(pa.namespace())
            .setScope(Scope.WORKLOAD_SELECTOR)
            .setAction(Action.DENY)
            .addRules(rule)
            .build());
  }

  /** Matches a connection without an authenticated principal (a plaintext peer). */
  private static Clause withoutPrincipal() {
    return Clause.newBuilder()
        .addMatches(
            Match.newBuilder()
                .addNotPrincipals(StringMatch.newBuilder().setPresence(Empty.getDefaultInstance())))
        .build();
  }
}
