package dev.ambit.node.agent;

/** The status a node agent reports for one of its pods. */
public record PodReport(
    String namespace,
    String name,
    String podIp,
    String phase,
    boolean enrolled,
    boolean ready,
    int restarts,
    String message) {
  public static final String PENDING = "Pending";
  public static final String RUNNING = "Running";
  public static final String FAILED = "Failed";
}
