package dev.ambit.transport.netns;

/** A network namespace could not be entered or left. */
public final class NetnsException extends RuntimeException {
  public NetnsException(String message) {
    super(message);
  }
}
