package dev.ambit.node.agent;

import dev.ambit.node.net.Commands;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

/** The TCP ports something listens on inside a network namespace (from {@code ss}). */
final class ListeningPorts {
  private ListeningPorts() {}

  static Set<Integer> of(Path netns) {
    Commands.Result r =
        Commands.exec(java.util.List.of("nsenter", "--net=" + netns, "--", "ss", "-Hltn"), null);
    if (r.exitCode() != 0) {
      return Set.of();
    }
    return r.stdout()
        .lines()
        .map(l -> l.trim().split("\\s+"))
        .filter(f -> f.length >= 4)
        .map(f -> f[3].substring(f[3].lastIndexOf(':') + 1))
        .filter(p -> p.matches("[0-9]+"))
        .map(Integer::parseInt)
        .collect(Collectors.toSet());
  }
}
