package dev.ambit.api;

/**
 * A Kubernetes int-or-string value (e.g. a Service's {@code targetPort}: a number or a container
 * port name). Exactly one of the two is set.
 */
public record IntOrString(Integer intValue, String stringValue) {

  public IntOrString {
    if ((intValue == null) == (stringValue == null)) {
      throw new IllegalArgumentException("exactly one of intValue and stringValue must be set");
    }
  }

  public static IntOrString of(int value) {
    return new IntOrString(value, null);
  }

  public static IntOrString of(String value) {
    return new IntOrString(null, value);
  }

  public boolean isInt() {
    return intValue != null;
  }

  @Override
  public String toString() {
    return isInt() ? intValue.toString() : stringValue;
  }
}
