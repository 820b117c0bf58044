package dev.ambit.ztunnel.authz;

import dev.ambit.ztunnel.state.StateSnapshot;
import dev.ambit.ztunnel.state.WorkloadInfo;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound connections currently open, so that a policy change can be applied to them: {@link
 * #reevaluate} closes every connection the new state no longer admits.
 */
public final class OpenConnections {

  private static final Logger LOG = LoggerFactory.getLogger(OpenConnections.class);

  /** An open connection as policy sees it. */
  public interface Tracked {

    /** The destination workload as it was when the connection was admitted. */
    WorkloadInfo destination();

    ConnectionAttributes attributes();

    /**
     * Closes the connection, which policy no longer admits; {@code reason} ends up in the access
     * log.
     */
    void close(String reason);
  }

  private final Set<Tracked> open = ConcurrentHashMap.newKeySet();

  /** Starts tracking {@code c}; the returned handle stops it (call it when the connection ends). */
  public Runnable track(Tracked c) {
    open.add(c);
    return () -> open.remove(c);
  }

  public int size() {
    return open.size();
  }

  /** Re-runs the admission check of every open connection against {@code state}. */
  public void reevaluate(StateSnapshot state) {
    for (Tracked c : open) {
      WorkloadInfo current = state.workload(c.destination().uid());
      Decision d =
          InboundAuthorizer.authorize(
              state, current != null ? current : c.destination(), c.attributes());
      if (!d.allowed()) {
        LOG.info("closing connection to {}: {}", c.destination().uid(), d.reason());
        open.remove(c);
        c.close("policy changed: " + d.reason());
      }
    }
  }
}
