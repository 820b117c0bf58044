package dev.ambit.node.agent;

import java.util.function.Consumer;

/** The node agent's view of the control plane's management API. */
public interface NodeApi {
  /**
   * Watches the cluster from this node's point of view; {@code onChange} gets a full view now and
   * after every change. Closing the result stops the watch.
   */
  AutoCloseable watch(String node, Consumer<NodeView> onChange) throws Exception;

  /** Records a pod's status (its IP first of all) in the control plane. */
  void report(PodReport report) throws Exception;
}
