package dev.ambit.node.agent;

import java.util.List;
import java.util.Map;

/** One container of a pod: what to run (the image is only used for built-in images). */
public record ContainerSpec(
    String name, String image, List<String> command, List<String> args, Map<String, String> env) {
  public ContainerSpec {
    command = command == null ? List.of() : List.copyOf(command);
    args = args == null ? List.of() : List.copyOf(args);
    env = env == null ? Map.of() : Map.copyOf(env);
  }
}
