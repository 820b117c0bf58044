package dev.ambit.api;

import dev.ambit.api.core.NamespaceSpec;
import dev.ambit.api.core.PodSpec;
import dev.ambit.api.core.PodStatus;
import dev.ambit.api.core.ServiceAccountSpec;
import dev.ambit.api.core.ServiceSpec;
import dev.ambit.api.gateway.GatewaySpec;
import dev.ambit.api.gateway.HttpRouteSpec;
import dev.ambit.api.schema.Rule;
import dev.ambit.api.security.AuthorizationPolicySpec;
import dev.ambit.api.security.PeerAuthenticationSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The resource kinds Ambit reads, with their API group, served versions (the first one is the
 * storage version), scope and model types.
 */
public enum Kind {
  NAMESPACE("", "Namespace", false, null, NamespaceSpec.class, null, Rule.DNS_LABEL, "v1"),
  SERVICE("", "Service", true, "spec", ServiceSpec.class, null, Rule.DNS_LABEL, "v1"),
  POD("", "Pod", true, "spec", PodSpec.class, PodStatus.class, Rule.DNS_SUBDOMAIN, "v1"),
  SERVICE_ACCOUNT(
      "", "ServiceAccount", true, null, ServiceAccountSpec.class, null, Rule.DNS_SUBDOMAIN, "v1"),
  AUTHORIZATION_POLICY(
      "security.istio.io",
      "AuthorizationPolicy",
      true,
      "spec",
      AuthorizationPolicySpec.class,
      null,
      Rule.DNS_SUBDOMAIN,
      "v1",
      "v1beta1"),
  PEER_AUTHENTICATION(
      "security.istio.io",
      "PeerAuthentication",
      true,
      "spec",
      PeerAuthenticationSpec.class,
      null,
      Rule.DNS_SUBDOMAIN,
      "v1",
      "v1beta1"),
  GATEWAY(
      "gateway.networking.k8s.io",
      "Gateway",
      true,
      "spec",
      GatewaySpec.class,
      null,
      Rule.DNS_SUBDOMAIN,
      "v1",
      "v1beta1"),
  HTTP_ROUTE(
      "gateway.networking.k8s.io",
      "HTTPRoute",
      true,
      "spec",
      HttpRouteSpec.class,
      null,
      Rule.DNS_SUBDOMAIN,
      "v1",
      "v1beta1");

  private final String group;
  private final String kindName;
  private final boolean namespaced;
  private final String specField;
  private final Class<? extends Spec> specType;
  private final Class<? extends Status> statusType;
  private final Rule nameRule;
  private final List<String> apiVersions;

  Kind(
      String group,
      String kindName,
      boolean namespaced,
      String specField,
      Class<? extends Spec> specType,
      Class<? extends Status> statusType,
      Rule nameRule,
      String... versions) {
    this.group = group;
    this.kindName = kindName;
    this.namespaced = namespaced;
    this.specField = specField;
    this.specType = specType;
    this.statusType = statusType;
    this.nameRule = nameRule;
    this.apiVersions =
        Arrays.stream(versions).map(v -> group.isEmpty() ? v : group + "/" + v).toList();
  }

  /** The API group ("" for core). */
  public String group() {
    return group;
  }

  /** The kind as written in YAML, e.g. {@code HTTPRoute}. */
  public String kindName() {
    return kindName;
  }

  /** Whether objects live in a namespace. */
  public boolean namespaced() {
    return namespaced;
  }

  /** Whether the YAML form has a {@code spec} (Namespace and ServiceAccount do not). */
  public boolean hasSpec() {
    return specField != null;
  }

  public Class<? extends Spec> specType() {
    return specType;
  }

  /** The status type, or null when the kind has no status. */
  public Class<? extends Status> statusType() {
    return statusType;
  }

  Rule nameRule() {
    return nameRule;
  }

  /** Every served apiVersion, storage version first (e.g. {@code security.istio.io/v1}). */
  public List<String> servedApiVersions() {
    return apiVersions;
  }

  /** The apiVersion objects are stored (and by default written) in. */
  public String storageApiVersion() {
    return apiVersions.getFirst();
  }

  public boolean serves(String apiVersion) {
    return apiVersions.contains(apiVersion);
  }

  /** The kubectl-style name, e.g. {@code httproute.gateway.networking.k8s.io} or {@code pod}. */
  public String qualifiedName() {
    String lower = kindName.toLowerCase(Locale.ROOT);
    return group.isEmpty() ? lower : lower + "." + group;
  }

  /** The kind written as {@code kindName} (e.g. {@code AuthorizationPolicy}). */
  public static Optional<Kind> byKindName(String kindName) {
    return Arrays.stream(values()).filter(k -> k.kindName.equals(kindName)).findFirst();
  }

  /**
   * The kind a user named on a command line: kind name, qualified name, or lower-case name, in
   * singular or plural, or a kubectl short name (e.g. {@code httproutes}, {@code HTTPRoute}, {@code
   * svc}, {@code ap}).
   */
  public static Optional<Kind> parse(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    if (SHORT_NAMES.containsKey(lower)) {
      return Optional.of(SHORT_NAMES.get(lower));
    }
    return Arrays.stream(values())
        .filter(
            k -> {
              String name = k.kindName.toLowerCase(Locale.ROOT);
              return lower.equals(name)
                  || lower.equals(name + "s")
                  || lower.equals(name + "es")
                  || lower.equals(k.qualifiedName())
                  || (name.endsWith("y")
                      && lower.equals(name.substring(0, name.length() - 1) + "ies"));
            })
        .findFirst();
  }

  private static final Map<String, Kind> SHORT_NAMES =
      Map.of(
          "ns", NAMESPACE,
          "svc", SERVICE,
          "po", POD,
          "sa", SERVICE_ACCOUNT,
          "ap", AUTHORIZATION_POLICY,
          "pa", PEER_AUTHENTICATION,
          "gtw", GATEWAY);

  /** The kind whose spec type is {@code specType}. */
  public static Kind ofSpec(Class<? extends Spec> specType) {
    return Arrays.stream(values())
        .filter(k -> k.specType.equals(specType))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no kind has spec " + specType));
  }
}
