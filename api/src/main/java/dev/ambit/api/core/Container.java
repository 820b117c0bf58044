package dev.ambit.api.core;

import dev.ambit.api.Values;
import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.NotImplemented;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;
import java.util.List;

/**
 * A container of a Pod. In local mode {@code command} + {@code args} run as a process inside the
 * pod's network namespace; {@code image} names a built-in image.
 */
@NotImplemented({
  "imagePullPolicy",
  "resources",
  "volumeMounts",
  "livenessProbe",
  "readinessProbe",
  "startupProbe",
  "securityContext",
  "workingDir",
  "envFrom",
  "lifecycle"
})
public record Container(
    @Required @Check(Rule.DNS_LABEL) String name,
    String image,
    List<String> command,
    List<String> args,
    List<EnvVar> env,
    List<ContainerPort> ports) {

  public Container {
    command = Values.list(command);
    args = Values.list(args);
    env = Values.list(env);
    ports = Values.list(ports);
  }
}
