package dev.ambit.waypoint.metrics;

/** The response_flags label (the ecosystem's short codes); NONE renders as "-". */
public enum ResponseFlag {
  NONE("-"),
  /** No route matched. */
  NO_ROUTE("NR"),
  /** No healthy upstream endpoint. */
  NO_HEALTHY_UPSTREAM("UH"),
  /** Could not connect to the upstream. */
  UPSTREAM_CONNECT_FAILURE("UF"),
  /** Upstream overflow: the backend's pending bound was reached. */
  UPSTREAM_OVERFLOW("UO"),
  /** Upstream request timeout. */
  UPSTREAM_TIMEOUT("UT"),
  /** Upstream reset the connection after the request was sent. */
  UPSTREAM_RESET("UR"),
  /** Retries exhausted; the last retriable failure is passed on. */
  RETRY_LIMIT_EXCEEDED("URX"),
  /** Denied by L7 authorization. */
  UNAUTHORIZED("UAEX"),
  /** The downstream went away before the response. */
  DOWNSTREAM_RESET("DC"),
  /** The request was answered by the waypoint itself (e.g. a redirect). */
  DIRECT_RESPONSE("DR");

  private final String label;

  ResponseFlag(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
