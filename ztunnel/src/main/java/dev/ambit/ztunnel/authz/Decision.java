package dev.ambit.ztunnel.authz;

/**
 * The outcome of L4 authorization. Instances are created once (per policy or as constants), so
 * evaluating a connection allocates nothing.
 *
 * @param allowed whether the connection may proceed
 * @param policy the deciding policy as "namespace/name", or {@code null} when none decided
 * @param reason a short human-readable reason for logs
 */
public record Decision(boolean allowed, String policy, String reason) {

  static final Decision NO_ALLOW_POLICY = new Decision(true, null, "no ALLOW policy applies");
  static final Decision NO_ALLOW_MATCH = new Decision(false, null, "no ALLOW policy matched");
}
