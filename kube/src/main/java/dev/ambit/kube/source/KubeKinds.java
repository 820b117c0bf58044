package dev.ambit.kube.source;

import dev.ambit.api.Kind;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/** The custom resources Ambit reads from Kubernetes, in the version it watches them. */
public final class KubeKinds {

  public static final ResourceDefinitionContext AUTHORIZATION_POLICY =
      context("security.istio.io", "v1", "AuthorizationPolicy", "authorizationpolicies");
  public static final ResourceDefinitionContext PEER_AUTHENTICATION =
      context("security.istio.io", "v1", "PeerAuthentication", "peerauthentications");
  public static final ResourceDefinitionContext GATEWAY =
      context("gateway.networking.k8s.io", "v1", "Gateway", "gateways");
  public static final ResourceDefinitionContext HTTP_ROUTE =
      context("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes");

  private KubeKinds() {}

  /** Whether Kubernetes serves {@code kind} through a CRD (which may not be installed). */
  public static boolean isCustom(Kind kind) {
    return !kind.group().isEmpty();
  }

  /** The Ambit kind of a custom resource context. */
  public static Kind kind(ResourceDefinitionContext context) {
    return Kind.byKindName(context.getKind()).orElseThrow();
  }

  private static ResourceDefinitionContext context(
      String group, String version, String kind, String plural) {
    return new ResourceDefinitionContext.Builder()
        .withGroup(group)
        .withVersion(version)
        .withKind(kind)
        .withPlural(plural)
        .withNamespaced(true)
        .build();
  }
}
