package dev.ambit.waypoint.proxy;

/**
 * Starts the waypoint's span of each request. The span's {@code traceparent} goes to the backend,
 * so the backend's work becomes a child of the waypoint's span.
 */
public interface RequestTracer extends AutoCloseable {

  /**
   * @param incomingTraceparent the caller's W3C traceparent, or null: then a new trace starts
   */
  Span start(String incomingTraceparent, String name);

  /** Flushes and stops exporting. */
  @Override
  default void close() {}

  /** The waypoint's span for one request. */
  interface Span {
    String traceId();

    /** The W3C traceparent naming this span as the parent. */
    String traceparent();

    /** Ends the span with what happened; called once, on an event loop. */
    void end(RequestSpan info);
  }

  /** Propagates W3C trace context (continuing or starting a trace) without exporting spans. */
  RequestTracer PROPAGATE_ONLY =
      (incoming, name) -> {
        TraceContext t = TraceContext.continueOrStart(incoming);
        return new Span() {
          @Override
          public String traceId() {
            return t.traceId();
          }

          @Override
          public String traceparent() {
            return t.traceparent();
          }

          @Override
          public void end(RequestSpan info) {}
        };
      };
}
