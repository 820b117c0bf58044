package dev.ambit.proto.client;

import com.google.protobuf.Message;
import java.util.Map;
import java.util.Set;

/** Receives the changes of one xDS type. */
@FunctionalInterface
public interface XdsHandler<T extends Message> {

  /**
   * Called with the resources added or changed (by name) and the names removed. Throwing rejects
   * the whole response: the client sends a NACK with the exception's message and keeps its previous
   * state for this type.
   */
  void onUpdate(Map<String, T> upserts, Set<String> removals) throws Exception;
}
