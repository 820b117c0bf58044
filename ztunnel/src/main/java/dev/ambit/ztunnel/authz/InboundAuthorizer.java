package dev.ambit.ztunnel.authz;

import dev.ambit.ztunnel.state.DestinationResolver;
import dev.ambit.ztunnel.state.StateSnapshot;
import dev.ambit.ztunnel.state.WorkloadInfo;
import java.util.Set;

/**
 * The inbound admission check, used when a connection arrives and again for every open connection
 * when the state changes: a destination bound to a waypoint accepts only that waypoint's
 * identities; then the destination's L4 policies decide.
 */
public final class InboundAuthorizer {

  private InboundAuthorizer() {}

  public static Decision authorize(
      StateSnapshot state, WorkloadInfo destination, ConnectionAttributes connection) {
    Set<String> required = DestinationResolver.requiredPeerIdentities(state, destination);
    if (required != null
        && !(connection.authenticated()
            && required.contains("spiffe://" + connection.sourcePrincipal()))) {
      return new Decision(
          false,
          null,
          "destination "
              + destination.uid()
              + " is bound to a waypoint; "
              + (connection.authenticated() ? connection.sourcePrincipal() : "a plaintext peer")
              + " is not it");
    }
    return state.policiesFor(destination).evaluate(connection);
  }
}
