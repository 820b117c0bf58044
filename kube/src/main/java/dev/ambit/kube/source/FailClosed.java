package dev.ambit.kube.source;

import dev.ambit.api.LabelSelector;
import dev.ambit.api.ObjectMeta;
import dev.ambit.api.Resource;
import dev.ambit.api.security.AuthorizationAction;
import dev.ambit.api.security.AuthorizationPolicySpec;
import dev.ambit.api.security.AuthorizationRule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an AuthorizationPolicy that Ambit cannot read becomes. The API server accepted it, so it
 * cannot be refused like a bad file; ignoring it could open access. Instead it fails closed on the
 * workloads it selects (its namespace when the selector itself is unreadable): a DENY or CUSTOM
 * policy denies everything, an ALLOW policy allows nothing. AUDIT never decides access and is left
 * out.
 */
final class FailClosed {

  private FailClosed() {}

  static Optional<Resource<?>> authorizationPolicy(Map<String, Object> raw) {
    Map<String, Object> meta = Translator.map(raw.get("metadata"));
    Map<String, Object> spec = Translator.map(raw.get("spec"));
    Object action = spec.get("action");
    if ("AUDIT".equals(action)) {
      return Optional.empty();
    }
    boolean deny = "DENY".equals(action) || "CUSTOM".equals(action);
    AuthorizationPolicySpec replacement =
        new AuthorizationPolicySpec(
            selector(spec),
            null,
            List.of(),
            deny ? AuthorizationAction.DENY : AuthorizationAction.ALLOW,
            deny ? List.of(new AuthorizationRule(List.of(), List.of(), List.of())) : List.of());
    ObjectMeta metadata =
        ObjectMeta.of((String) meta.get("namespace"), (String) meta.get("name"))
            .withLabels(strings(meta.get("labels")));
    return Optional.of(Resource.of(metadata, replacement));
  }

  private static LabelSelector selector(Map<String, Object> spec) {
    Map<String, Object> selector = Translator.map(spec.get("selector"));
    if (selector.isEmpty() || selector.containsKey("matchExpressions")) {
      return null;
    }
    Map<String, String> labels = strings(selector.get("matchLabels"));
    return labels.isEmpty() ? null : new LabelSelector(labels);
  }

  private static Map<String, String> strings(Object o) {
    Map<String, String> out = new HashMap<>();
    Translator.map(o).forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }
}
