package dev.ambit.api.store;

import java.util.List;

/**
 * Receives store changes. Calls come one at a time, in order, on a thread of the subscription:
 * first the current content as ADDED events (possibly none), then one call per committed change (an
 * apply, a delete, a status update) with its events and the snapshot right after it.
 */
@FunctionalInterface
public interface WatchListener {
  void onEvents(List<WatchEvent> events, ConfigSnapshot snapshot);
}
