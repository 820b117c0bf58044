package dev.ambit.ztunnel.telemetry;

import dev.ambit.ztunnel.state.ServiceInfo;
import dev.ambit.ztunnel.state.WorkloadInfo;

/**
 * The label set of the TCP metrics, computed once per connection. Unknown values are "unknown", as
 * in the ecosystem's telemetry.
 */
public record ConnectionLabels(
    String reporter,
    String sourceWorkload,
    String sourceWorkloadNamespace,
    String sourcePrincipal,
    String sourceCanonicalService,
    String sourceApp,
    String sourceVersion,
    String destinationWorkload,
    String destinationWorkloadNamespace,
    String destinationPrincipal,
    String destinationCanonicalService,
    String destinationApp,
    String destinationVersion,
    String destinationService,
    String requestProtocol,
    String responseFlags,
    String connectionSecurityPolicy) {

  static final String UNKNOWN = "unknown";

  /** Which side reported the connection. */
  public enum Reporter {
    SOURCE,
    DESTINATION;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * Labels for one connection.
   *
   * @param source the source workload, or null when unknown
   * @param sourceIdentity the source's SPIFFE id, or null
   * @param destination the destination workload, or null
   * @param destinationIdentity the destination's SPIFFE id, or null
   * @param service the service addressed, or null
   * @param mutualTls whether the connection is carried by mutual TLS
   */
  public static ConnectionLabels of(
      Reporter reporter,
      WorkloadInfo source,
      String sourceIdentity,
      WorkloadInfo destination,
      String destinationIdentity,
      ServiceInfo service,
      boolean mutualTls) {
    return new ConnectionLabels(
        reporter.label(),
        source == null ? UNKNOWN : source.workloadName(),
        source == null ? UNKNOWN : source.namespace(),
        sourceIdentity == null ? UNKNOWN : sourceIdentity,
        source == null ? UNKNOWN : source.canonicalName(),
        source == null ? UNKNOWN : source.canonicalName(),
        source == null ? UNKNOWN : source.canonicalRevision(),
        destination == null ? UNKNOWN : destination.workloadName(),
        destination == null ? UNKNOWN : destination.namespace(),
        destinationIdentity == null ? UNKNOWN : destinationIdentity,
        destination == null ? UNKNOWN : destination.canonicalName(),
        destination == null ? UNKNOWN : destination.canonicalName(),
        destination == null ? UNKNOWN : destination.canonicalRevision(),
        service != null
            ? service.hostname()
            : destination == null ? UNKNOWN : destination.workloadName(),
        "tcp",
        "-",
        mutualTls ? "mutual_tls" : UNKNOWN);
  }

  /**
   * The ecosystem's response flag of a connection that could not be established (refused,
   * unreachable, timed out).
   */
  public static final String CONNECTION_FAILURE = "CONNECT";

  /** The {@code response_flags} of a connection refused or closed by policy. */
  public static final String DENY = "DENY";

  /** These labels with {@code response_flags} set to {@code flags}. */
  public ConnectionLabels withResponseFlags(String flags) {
    return new ConnectionLabels(
        reporter,
        sourceWorkload,
        sourceWorkloadNamespace,
        sourcePrincipal,
        sourceCanonicalService,
        sourceApp,
        sourceVersion,
        destinationWorkload,
        destinationWorkloadNamespace,
        destinationPrincipal,
        destinationCanonicalService,
        destinationApp,
        destinationVersion,
        destinationService,
        requestProtocol,
        flags,
        connectionSecurityPolicy);
  }

  /** The label names, in the order {@link #values()} returns values. */
  static final String[] NAMES = {
    "reporter",
    "source_workload",
    "source_workload_namespace",
    "source_principal",
    "source_canonical_service",
    "source_app",
    "source_version",
    "destination_workload",
    "destination_workload_namespace",
    "destination_principal",
    "destination_canonical_service",
    "destination_app",
    "destination_version",
    "destination_service",
    "request_protocol",
    "response_flags",
    "connection_security_policy"
  };

  String[] values() {
    return new String[] {
      reporter,
      sourceWorkload,
      sourceWorkloadNamespace,
      sourcePrincipal,
      sourceCanonicalService,
      sourceApp,
      sourceVersion,
      destinationWorkload,
      destinationWorkloadNamespace,
      destinationPrincipal,
      destinationCanonicalService,
      destinationApp,
      destinationVersion,
      destinationService,
      requestProtocol,
      responseFlags,
      connectionSecurityPolicy
    };
  }
}
