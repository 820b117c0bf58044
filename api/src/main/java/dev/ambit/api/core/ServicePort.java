package dev.ambit.api.core;

import dev.ambit.api.IntOrString;
import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.Checks;
import dev.ambit.api.schema.NotImplemented;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;
import dev.ambit.api.schema.SelfCheck;

/**
 * One port of a Service. {@code targetPort} is a number or a container port name (default: the same
 * number as {@code port}); {@code protocol} defaults to TCP when null.
 */
@NotImplemented("nodePort")
public record ServicePort(
    @Check(Rule.DNS_LABEL) String name,
    @NotImplemented({"UDP", "SCTP"}) Protocol protocol,
    String appProtocol,
    @Required @Check(Rule.PORT) Integer port,
    IntOrString targetPort)
    implements SelfCheck {

  /** The port number the workload listens on, when given as (or defaulting to) a number. */
  public Integer targetPortNumber() {
    return targetPort == null ? port : targetPort.intValue();
  }

  @Override
  public void check(Checks checks) {
    if (targetPort == null) {
      return;
    }
    String problem =
        targetPort.isInt()
            ? Rule.PORT.check(targetPort.intValue())
            : Rule.DNS_LABEL.check(targetPort.stringValue());
    if (problem != null) {
      checks.error("targetPort", problem);
    }
  }
}
