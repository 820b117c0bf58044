package dev.ambit.control.server;

import dev.ambit.control.ca.Identities;

/**
 * Authenticates callers of the xDS/CA port that present a bearer token (gRPC metadata {@code
 * authorization: Bearer <token>}) instead of a node credential, e.g. a Kubernetes service-account
 * token. Implementations may block (calls run on virtual threads).
 */
@FunctionalInterface
public interface TokenAuthenticator {

  /**
   * @return the name of the node the caller runs on; the caller acts for that node
   * @throws io.grpc.StatusRuntimeException (UNAUTHENTICATED or PERMISSION_DENIED, with a message
   *     for the caller) when the token is not accepted
   */
  String node(String bearerToken);

  /**
   * Who the token belongs to. By default a node agent of {@link #node}; implementations that also
   * accept single workloads (e.g. waypoints) override this.
   *
   * @throws io.grpc.StatusRuntimeException as {@link #node}
   */
  default Caller authenticate(String bearerToken) {
    return Caller.node(node(bearerToken));
  }

  /**
   * An authenticated caller: it runs on {@code node}; {@code onlyIdentity} null means it acts for
   * the node (may obtain identities of the node's workloads), otherwise it is one workload and may
   * obtain only that identity.
   */
  record Caller(String node, Identities.Workload onlyIdentity) {

    public static Caller node(String node) {
      return new Caller(node, null);
    }

    public static Caller workload(String node, Identities.Workload identity) {
      return new Caller(node, identity);
    }
  }
}
