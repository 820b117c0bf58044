package dev.ambit.control.ca;

/** Decides whether a node may obtain a workload identity. */
@FunctionalInterface
public interface NodeAuthorizer {

  /**
   * @return {@code null} when {@code node} runs a workload with identity {@code id}, otherwise the
   *     reason for refusing (shown to the caller and logged)
   */
  String refusal(String node, Identities.Workload id);
}
