package dev.ambit.kube.identity;

import dev.ambit.control.server.TokenAuthenticator;
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
 * Authenticates ztunnels by their Kubernetes service-account token (a projected, pod-bound token
 * with audience {@link #DEFAULT_AUDIENCE}):
 *
 * <ol>
 *   <li>a TokenReview with that audience must accept it;
 *   <li>it must belong to a trusted node account ({@code <namespace>/<service-account>}, by default
 *       {@code istio-system/ztunnel}): only those may act for a node;
 *   <li>it must be bound to a pod (user extra {@code authentication.kubernetes.io/pod-name} and
 *       {@code pod-uid}) that still exists, runs as that account and is scheduled on an existing
 *       Node.
 * </ol>
 *
 * The caller's node is that pod's node; the CA then issues only identities of pods scheduled there.
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
  private final Duration cacheFor;
  private final Clock clock;
  private final Map<String, Accepted> accepted = new ConcurrentHashMap<>();

  private record Accepted(String node, Instant until) {}

  public KubeTokenAuthenticator(
      KubernetesClient client,
      String audience,
      Set<String> nodeAccounts,
      Duration cacheFor,
      Clock clock) {
    this.client = client;
    this.audience = audience;
    this.nodeAccounts = Set.copyOf(nodeAccounts);
    this.cacheFor = cacheFor;
    this.clock = clock;
  }

  @Override
  public String node(String token) {
    String digest = sha256(token);
    Instant now = clock.instant();
    Accepted cached = accepted.get(digest);
    if (cached != null && cached.until().isAfter(now)) {
      return cached.node();
    }
    accepted.values().removeIf(a -> !a.until().isAfter(now));
    String node = review(token);
    accepted.put(digest, new Accepted(node, now.plus(cacheFor)));
    return node;
  }

  private String review(String token) {
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
    String account = parts[2] + "/" + parts[3];
    if (!nodeAccounts.contains(account)) {
      throw refuse(
          Status.PERMISSION_DENIED,
          "service account " + account + " may not act for a node (allowed: " + nodeAccounts + ")");
    }
    Map<String, List<String>> extra = status.getUser().getExtra();
    String podName = first(extra, POD_NAME);
    String podUid = first(extra, POD_UID);
    if (podName == null || podUid == null) {
      throw refuse(
          Status.UNAUTHENTICATED,
          "the token of " + account + " is not bound to a pod (use a projected token)");
    }
    Pod pod = get(() -> client.pods().inNamespace(parts[2]).withName(podName).get());
    if (pod == null || !podUid.equals(pod.getMetadata().getUid())) {
      throw refuse(Status.UNAUTHENTICATED, "pod " + parts[2] + "/" + podName + " no longer exists");
    }
    String node = pod.getSpec().getNodeName();
    if (node == null || !Objects.equals(pod.getSpec().getServiceAccountName(), parts[3])) {
      throw refuse(
          Status.PERMISSION_DENIED,
          "pod " + parts[2] + "/" + podName + " is not a scheduled pod of " + account);
    }
    String tokenNode = first(extra, NODE_NAME);
    if (tokenNode != null && !tokenNode.equals(node)) {
      throw refuse(
          Status.PERMISSION_DENIED,
          "the token names node " + tokenNode + " but the pod runs on " + node);
    }
    Node nodeObject = get(() -> client.nodes().withName(node).get());
    if (nodeObject == null) {
      throw refuse(Status.PERMISSION_DENIED, "node " + node + " does not exist");
    }
    return node;
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
