package dev.ambit.waypoint.metrics;

/** The grpc_response_status label: NONE for non-gRPC requests, else the numeric status. */
public enum GrpcStatus {
  NONE(""),
  OK("0"),
  CANCELLED("1"),
  UNKNOWN("2"),
  INVALID_ARGUMENT("3"),
  DEADLINE_EXCEEDED("4"),
  NOT_FOUND("5"),
  ALREADY_EXISTS("6"),
  PERMISSION_DENIED("7"),
  RESOURCE_EXHAUSTED("8"),
  FAILED_PRECONDITION("9"),
  ABORTED("10"),
  OUT_OF_RANGE("11"),
  UNIMPLEMENTED("12"),
  INTERNAL("13"),
  UNAVAILABLE("14"),
  DATA_LOSS("15"),
  UNAUTHENTICATED("16");

  private static final GrpcStatus[] ALL = values();

  private final String label;

  GrpcStatus(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** From a grpc-status header value; UNKNOWN for garbage, NONE for null. */
  public static GrpcStatus of(String value) {
    if (value == null) {
      return NONE;
    }
    try {
      int n = Integer.parseInt(value.trim());
      return n >= 0 && n <= 16 ? ALL[n + 1] : UNKNOWN;
    } catch (NumberFormatException e) {
      return UNKNOWN;
    }
  }
}
