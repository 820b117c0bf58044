package dev.ambit.api.store;

import dev.ambit.api.Resource;

/**
 * A change to one object. {@code object} is the new state (for DELETED: the last state); {@code
 * resourceVersion} the store revision of the change.
 */
public record WatchEvent(Type type, Resource<?> object, long resourceVersion) {

  /** The kind of change. */
  public enum Type {
    ADDED,
    MODIFIED,
    DELETED
  }
}
