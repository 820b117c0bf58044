package dev.ambit.api.gateway;

import dev.ambit.api.Values;
import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.CheckKeys;
import dev.ambit.api.schema.NotImplemented;
import dev.ambit.api.schema.Rule;
import java.util.Map;

/** Labels and annotations for the resources that implement a Gateway (e.g. waypoint pods). */
@NotImplemented("parametersRef")
public record GatewayInfrastructure(
    @CheckKeys(Rule.LABEL_KEY) @Check(Rule.LABEL_VALUE) Map<String, String> labels,
    @CheckKeys(Rule.LABEL_KEY) Map<String, String> annotations) {

  public GatewayInfrastructure {
    labels = Values.map(labels);
    annotations = Values.map(annotations);
  }
}
