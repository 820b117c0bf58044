package dev.ambit.api.schema;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Gateway API duration format (GEP-2257): one to four {@code <number><unit>} parts, units
 * {@code h}, {@code m}, {@code s}, {@code ms}, numbers of at most five digits, e.g. {@code 1m30s}.
 */
public final class GatewayDurations {

  private static final Pattern WHOLE = Pattern.compile("([0-9]{1,5}(h|ms|m|s)){1,4}");
  private static final Pattern PART = Pattern.compile("([0-9]{1,5})(h|ms|m|s)");

  private GatewayDurations() {}

  /** The duration, or {@code null} when {@code text} is not in the format. */
  public static Duration parse(String text) {
    if (!WHOLE.matcher(text).matches()) {
      return null;
    }
    Duration total = Duration.ZERO;
    Matcher part = PART.matcher(text);
    while (part.find()) {
      long amount = Long.parseLong(part.group(1));
      total =
          total.plus(
              switch (part.group(2)) {
                case "h" -> Duration.ofHours(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "s" -> Duration.ofSeconds(amount);
                default -> Duration.ofMillis(amount);
              });
    }
    return total;
  }

  /**
   * The canonical text of a duration ({@code 0s}, {@code 1h2m3s4ms}); {@code null} when it cannot
   * be written in the format (negative, sub-millisecond, or hours beyond five digits).
   */
  public static String format(Duration duration) {
    if (duration.isNegative()
        || duration.getNano() % 1_000_000 != 0
        || duration.toHours() > 99_999) {
      return null;
    }
    if (duration.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    append(out, duration.toHours(), "h");
    append(out, duration.toMinutesPart(), "m");
    append(out, duration.toSecondsPart(), "s");
    append(out, duration.toMillisPart(), "ms");
    return out.toString();
  }

  private static void append(StringBuilder out, long amount, String unit) {
    if (amount > 0) {
      out.append(amount).append(unit);
    }
  }
}
