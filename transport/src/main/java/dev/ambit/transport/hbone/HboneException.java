package dev.ambit.transport.hbone;

/**
 * An HBONE CONNECT that did not yield a tunnel. {@link #status()} is the HTTP status the peer
 * answered (400, 401, 503, ...), or 0 when there was no answer (connect, TLS or HTTP/2 failure; see
 * the cause).
 */
public final class HboneException extends Exception {

  private final int status;

  public HboneException(int status, String message) {
    super(message);
    this.status = status;
  }

  public HboneException(int status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** The peer's HTTP status, or 0 when it gave none. */
  public int status() {
    return status;
  }
}
