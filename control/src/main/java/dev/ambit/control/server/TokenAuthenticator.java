package dev.ambit.control.server;

/**
 * Authenticates callers of the xDS/CA port that present a bearer token (gRPC metadata {@code
 * authorization: Bearer <token>}) instead of a node credential, e.g. a Kubernetes service-account
 * token. Implementations may block (calls run on virtual threads).
 */
@FunctionalInterface
public interface TokenAuthenticator {

  /**
   * @return the name of the node the caller runs on
   * @throws io.grpc.StatusRuntimeException (UNAUTHENTICATED or PERMISSION_DENIED, with a message
   *     for the caller) when the token is not accepted
   */
  String node(String bearerToken);
}
