package dev.ambit.node.images;

import java.util.Map;

/** What a built-in image knows about its pod, from the environment the node agent sets. */
public record PodInfo(String name, String namespace, String serviceAccount, String version) {
  public static PodInfo fromEnvironment(Map<String, String> env) {
    return new PodInfo(
        env.getOrDefault("POD_NAME", ""),
        env.getOrDefault("POD_NAMESPACE", ""),
        env.getOrDefault("SERVICE_ACCOUNT", ""),
        env.getOrDefault("VERSION", ""));
  }
}
