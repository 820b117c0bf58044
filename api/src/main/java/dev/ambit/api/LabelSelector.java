package dev.ambit.api;

import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.CheckKeys;
import dev.ambit.api.schema.NotImplemented;
import dev.ambit.api.schema.Rule;
import java.util.Map;

/**
 * Selects objects by labels ({@code matchLabels}: all must match). Used as Istio's workload {@code
 * selector} and as a Kubernetes label selector in Gateway API.
 */
@NotImplemented("matchExpressions")
public record LabelSelector(
    @CheckKeys(Rule.LABEL_KEY) @Check(Rule.LABEL_VALUE) Map<String, String> matchLabels) {

  public LabelSelector {
    matchLabels = Values.map(matchLabels);
  }

  /**
   * Whether {@code labels} contain every {@code matchLabels} entry (an empty selector matches all).
   */
  public boolean matches(Map<String, String> labels) {
    return matchLabels.entrySet().stream()
        .allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }
}
