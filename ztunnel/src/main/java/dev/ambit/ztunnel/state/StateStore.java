package dev.ambit.ztunnel.state;

import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.workload.Address;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the current {@link StateSnapshot} and applies xDS updates (add/replace and remove by
 * resource name). Writers are serialized; each update publishes a new snapshot with one volatile
 * write, and then tells the listeners (for example, to re-evaluate open connections).
 */
public final class StateStore {

  private static final Logger LOG = LoggerFactory.getLogger(StateStore.class);

  private final Map<String, Address> addresses = new HashMap<>();
  private final Map<String, Authorization> authorizations = new HashMap<>();
  private final List<Consumer<StateSnapshot>> listeners = new CopyOnWriteArrayList<>();
  private volatile StateSnapshot current = StateSnapshot.EMPTY;

  /** The current snapshot; cheap, lock-free. */
  public StateSnapshot snapshot() {
    return current;
  }

  /** Calls {@code listener} with every snapshot published from now on. */
  public void onUpdate(Consumer<StateSnapshot> listener) {
    listeners.add(listener);
  }

  /**
   * Applies a delta of Address resources: {@code upserts} by resource name replace or add, {@code
   * removals} remove. A resource that cannot be parsed is rejected with the whole update.
   */
  public void updateAddresses(Map<String, Address> upserts, Collection<String> removals) {
    publish(upserts, removals, Map.of(), List.of());
  }

  /** Applies a delta of Authorization resources, like {@link #updateAddresses}. */
  public void updateAuthorizations(
      Map<String, Authorization> upserts, Collection<String> removals) {
    publish(Map.of(), List.of(), upserts, removals);
  }

  private void publish(
      Map<String, Address> addressUpserts,
      Collection<String> addressRemovals,
      Map<String, Authorization> policyUpserts,
      Collection<String> policyRemovals) {
    StateSnapshot next;
    synchronized (this) {
      Map<String, Address> a = new HashMap<>(addresses);
      a.keySet().removeAll(addressRemovals);
      a.putAll(addressUpserts);
      Map<String, Authorization> p = new HashMap<>(authorizations);
      p.keySet().removeAll(policyRemovals);
      p.putAll(policyUpserts);
      next = new StateSnapshot(a, p, current);
      addresses.clear();
      addresses.putAll(a);
      authorizations.clear();
      authorizations.putAll(p);
      current = next;
      notifyListeners(next);
    }
  }

  private void notifyListeners(StateSnapshot next) {
    LOG.debug(
        "state: {} workloads, {} services, {} policies",
        next.workloads().size(),
        next.services().size(),
        next.policies().size());
    for (Consumer<StateSnapshot> l : listeners) {
      try {
        l.accept(next);
      } catch (RuntimeException e) {
        LOG.warn("state listener failed", e);
      }
    }
  }
}
