package dev.ambit.api.schema;

/** Receives the cross-field problems of one record, named relative to it. */
public interface Checks {

  /**
   * Reports a problem with {@code field} (a path relative to the record, e.g. {@code "targetRefs"}
   * or {@code "path.value"}; empty for the record itself).
   */
  void error(String field, String message);
}
