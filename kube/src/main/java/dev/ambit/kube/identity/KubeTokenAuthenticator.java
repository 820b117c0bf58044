package dev.ambit.kube.identity;

import dev.ambit.control.ca.Identities;
import dev.ambit.control.server.TokenAuthenticator;
import dev.ambit.control.state.Labels;
import dev.ambit.kube.source.KubeKinds;
import dev.ambit.kube.waypoint.WaypointReconciler;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authenticates ztunnels and waypoints by their Kubernetes service-account token (a projected,
 * pod-bound token with audience {@link #DEFAULT_AUDIENCE}):
 *
 * <ol>
 *   <li>a TokenReview with that audience must accept it;
 *   <li>it must be bound to a pod (user extra {@code authentication.kubernetes.io/pod-name} and
 *       {@code pod-uid}) that still exists, runs as the token's account and is scheduled on an
 *       existing Node;
 *   <li>either the account is a trusted node account ({@code <namespace>/<service-account>}, by
 *       default {@code istio-system/ztunnel}): the caller acts for the pod's node, and the CA then
 *       issues only identities of pods scheduled there;
 *   <li>or the pod is a waypoint's: labelled {@code gateway.networking.k8s.io/gateway-name: <gw>},
 *       a Gateway {@code <gw>} of class {@code istio-waypoint} exists in its namespace, and it runs
 *       as the account of that name (the one the waypoint controller creates). The caller then
 *       obtains only its own identity ({@code spiffe://<td>/ns/<ns>/sa/<gw>}) and the xDS of its
 *       Gateway (the xDS service accepts only the client id {@code waypoint~<ns>/<gw>~<node>});
 *   <li>any other token is refused.
 * </ol>
 *
 * Accepted tokens are remembered (by their SHA-256) for a short time so that renewals and xDS
 * reconnects do not each cost a TokenReview.
 */
public final class KubeTokenAuthenticator implements TokenAuthenticator {

  public static final String DEFAULT_AUDIENCE = "istio-ca";
  public static final String DEFAULT_NODE_ACCOUNT = "istio-system/ztunnel";
  static final String POD_NAME = "authentication.kubernetes.io/pod-name";
  static final String POD_UID = "authentication.kubernetes.io/pod-uid";
  static final String NODE_NAME = "authentication.kubernetes.io/node-name";
  private static final String SA_PREFIX = "system:serviceaccount:";

  private final KubernetesClient client;
  private final String audience;
  private final Set<String> nodeAccounts;
  private final String trustDomain;
  private final Duration cacheFor;
  private final Clock clock;
  private final Map<String, Accepted> accepted = new ConcurrentHashMap<>();

  private record Accepted(Caller caller, Instant until) {}

  public KubeTokenAuthenticator(
      KubernetesClient client,
      String audience,
      Set<String> nodeAccounts,
      String trustDomain,
      Duration cacheFor,
      Clock clock) {
    this.client = client;
    this.audience = audience;
    this.nodeAccounts = Set.copyOf(nodeAccounts);
    this.trustDomain = trustDomain;
    this.cacheFor = cacheFor;
    this.clock = clock;
  }

  @Override
  public String node(String token) {
    return authenticate(token).node();
  }

  @Override
  public Caller authenticate(String token) {
    String digest = sha256(token);
    Instant now = clock.instant();
    Accepted cached = accepted.get(digest);
    if (cached != null && cached.until().isAfter(now)) {
      return cached.caller();
    }
    accepted.values().removeIf(a -> !a.until().isAfter(now));
    Caller caller = review(token);
    accepted.put(digest, new Accepted(caller, now.plus(cacheFor)));
    return caller;
  }

  private Caller review(String token) {
    TokenReviewStatus status = tokenReview(token);
    if (status == null || !Boolean.TRUE.equals(status.getAuthenticated())) {
      String why = status == null || status.getError() == null ? "" : ": " + status.getError();
      throw refuse(Status.UNAUTHENTICATED, "the service-account token was rejected" + why);
    }
    if (status.getAudiences() != null
        && !status.getAudiences().isEmpty()
        && !status.getAudiences().contains(audience)) {
      throw refuse(Status.UNAUTHENTICATED, "the token is not meant for audience " + audience);
    }
    String user = status.getUser() == null ? "" : status.getUser().getUsername();
    String[] parts = user.startsWith(SA_PREFIX) ? user.split(":") : new String[0];
    if (parts.length != 4) {
      throw refuse(Status.UNAUTHENTICATED, user + " is not a service account");
    }
    String ns = parts[2];
    String sa = parts[3];
    String account = ns + "/" + sa;
    Map<String, List<String>> extra = status.getUser().getExtra();
    String podName = first(extra, POD_NAME);
    String podUid = first(extra, POD_UID);
    if (podName == null || podUid == null) {
      throw refuse(
          Status.UNAUTHENTICATED,
          "the token of " + account + " is not bound to a pod (use a projected token)");
    }
    Pod pod = get(() -> client.pods().inNamespace(ns).withName(podName).get());
    if (pod == null || !podUid.equals(pod.getMetadata().getUid())) {
      throw refuse(Status.UNAUTHENTICATED, "pod " + ns + "/" + podName + " no longer exists");
    }
    String node = pod.getSpec().getNodeName();
    if (node == null || !Objects.equals(pod.getSpec().getServiceAccountName(), sa)) {
      throw refuse(
          Status.PERMISSION_DENIED,
          "pod " + ns + "/" + podName + " is not a scheduled pod of " + account);
    }
    String tokenNode = first(extra, NODE_NAME);
    if (tokenNode != null && !tokenNode.equals(node)) {
      throw refuse(
          Status.PERMISSION_DENIED,
          "the token names node " + tokenNode + " but the pod runs on " + node);
    }
    Caller caller;
    if (nodeAccounts.contains(account)) {
      caller = Caller.node(node);
    } else if (isWaypointPod(pod)) {
      caller = Caller.workload(node, new Identities.Workload(trustDomain, ns, sa));
    } else {
      throw refuse(
          Status.PERMISSION_DENIED,
          "service account "
              + account
              + " may not act for a node (allowed: "
              + nodeAccounts
              + ") and pod "
              + ns
              + "/"
              + podName
              + " is not a waypoint");
    }
    Node nodeObject = get(() -> client.nodes().withName(node).get());
    if (nodeObject == null) {
      throw refuse(Status.PERMISSION_DENIED, "node " + node + " does not exist");
    }
    return caller;
  }

  /**
   * A pod of a waypoint: labelled with the name of a waypoint Gateway of its namespace and running
   * as the service account of that name.
   */
  private boolean isWaypointPod(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    String gateway = labels == null ? null : labels.get(Labels.GATEWAY_NAME);
    if (gateway == null || !gateway.equals(pod.getSpec().getServiceAccountName())) {
      return false;
    }
    GenericKubernetesResource gw =
        get(
            () ->
                client
                    .genericKubernetesResources(KubeKinds.GATEWAY)
                    .inNamespace(pod.getMetadata().getNamespace())
                    .withName(gateway)
                    .get());
    return gw != null && WaypointReconciler.isWaypoint(gw);
  }

  private TokenReviewStatus tokenReview(String token) {
    TokenReview review =
        new TokenReviewBuilder()
            .withNewSpec()
            .withToken(token)
            .withAudiences(audience)
            .endSpec()
            .build();
    TokenReview result = get(() -> client.authentication().v1().tokenReviews().create(review));
    return result == null ? null : result.getStatus();
  }

  private static <T> T get(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (KubernetesClientException e) {
      throw refuse(
          Status.UNAVAILABLE, "cannot verify the token with Kubernetes: " + e.getMessage());
    }
  }

  private static String first(Map<String, List<String>> extra, String key) {
    List<String> values = extra == null ? null : extra.get(key);
    return values == null || values.isEmpty() ? null : values.getFirst();
  }

  private static StatusRuntimeException refuse(Status status, String message) {
    return status.withDescription(message).asRuntimeException();
  }

  private static String sha256(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
