package dev.ambit.waypoint.proxy;

/**
 * One request as seen by the waypoint, for tracing.
 *
 * @param parentSpanId the caller's span id, "" when the waypoint started the trace
 * @param upstream the endpoint authority ("ip:port"), "" when none was chosen
 */
public record RequestSpan(
    String traceId,
    String spanId,
    String parentSpanId,
    boolean sampled,
    String method,
    String path,
    String authority,
    String destination,
    String upstream,
    int status,
    String responseFlags,
    long startEpochNanos,
    long endEpochNanos) {}
