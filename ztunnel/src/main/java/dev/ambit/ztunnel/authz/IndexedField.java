package dev.ambit.ztunnel.authz;

/**
 * The connection attributes L4 policies are indexed by: a policy whose every rule requires one of a
 * known set of values of a field is only tried for connections carrying one of those values.
 */
enum IndexedField {
  /** Exact source principals. */
  PRINCIPAL,
  /** Exact source namespaces. */
  NAMESPACE,
  /** Source address blocks. */
  SOURCE_IP,
  /** Destination ports. */
  PORT
}
