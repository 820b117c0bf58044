package dev.ambit.waypoint.proxy;

/**
 * What a request span records when it ends.
 *
 * @param upstream the endpoint authority ("ip:port"), "" when none was chosen
 */
public record RequestSpan(
    String method,
    String path,
    String authority,
    String protocol,
    String destination,
    String upstream,
    int status,
    String responseFlags) {}
