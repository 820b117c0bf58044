package dev.ambit.node.agent;

import java.util.List;
import java.util.Map;

/**
 * One container of a pod: what to run (the image is only used for built-in images) and the TCP
 * ports it listens on once ready.
 */
public record ContainerSpec(
    String name,
    String image,
    List<String> command,
    List<String> args,
    Map<String, String> env,
    List<Integer> ports) {
  public ContainerSpec {
    command = command == null ? List.of() : List.copyOf(command);
    args = args == null ? List.of() : List.copyOf(args);
    env = env == null ? Map.of() : Map.copyOf(env);
    ports = ports == null ? List.of() : List.copyOf(ports);
  }

  public ContainerSpec(
      String name, String image, List<String> command, List<String> args, Map<String, String> env) {
    this(name, image, command, args, env, List.of());
  }
}
