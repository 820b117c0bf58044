package dev.ambit.kube.waypoint;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Gateway API status conditions ({@code metav1.Condition} as maps). */
final class Conditions {

  private Conditions() {}

  /**
   * A condition; {@code lastTransitionTime} is taken from {@code previous} (the conditions the
   * object has now) when the status of that type did not change, so unchanged conditions compare
   * equal and are not rewritten.
   */
  static Map<String, Object> condition(
      String type,
      boolean status,
      String reason,
      String message,
      Long generation,
      List<Map<String, Object>> previous) {
    String value = status ? "True" : "False";
    Object since =
        previous.stream()
            .filter(c -> type.equals(c.get("type")) && value.equals(c.get("status")))
            .map(c -> c.get("lastTransitionTime"))
            .filter(Objects::nonNull)
            .findFirst()
            .orElse(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("type", type);
    c.put("status", value);
    c.put("reason", reason);
    c.put("message", message);
    if (generation != null) {
      c.put("observedGeneration", generation);
    }
    c.put("lastTransitionTime", since);
    return c;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> of(Object conditions) {
    return conditions instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
  }
}
