package dev.ambit.api.security;

import dev.ambit.api.LabelSelector;
import dev.ambit.api.Spec;
import dev.ambit.api.Values;
import dev.ambit.api.schema.CheckKeys;
import dev.ambit.api.schema.Checks;
import dev.ambit.api.schema.Rule;
import dev.ambit.api.schema.SelfCheck;
import java.util.Map;

/**
 * An Istio PeerAuthentication: the mTLS mode of the selected workloads (or the namespace, or the
 * mesh when in the root namespace), optionally per port ({@code portLevelMtls} keys are port
 * numbers and need a selector).
 */
public record PeerAuthenticationSpec(
    LabelSelector selector,
    MutualTls mtls,
    @CheckKeys(Rule.PORT_STRING) Map<String, MutualTls> portLevelMtls)
    implements Spec, SelfCheck {

  public PeerAuthenticationSpec {
    portLevelMtls = Values.map(portLevelMtls);
  }

  @Override
  public void check(Checks checks) {
    if (!portLevelMtls.isEmpty() && (selector == null || selector.matchLabels().isEmpty())) {
      checks.error("portLevelMtls", "needs a selector with matchLabels");
    }
  }
}
