package dev.ambit.api.core;

import dev.ambit.api.Status;
import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.NotImplemented;
import dev.ambit.api.schema.Rule;

/** What a node agent reports about a Pod: its phase, its node's address and its own address. */
@NotImplemented({"conditions", "containerStatuses", "podIPs", "hostIPs", "startTime", "qosClass"})
public record PodStatus(PodPhase phase, @Check(Rule.IP) String hostIP, @Check(Rule.IP) String podIP)
    implements Status {}
