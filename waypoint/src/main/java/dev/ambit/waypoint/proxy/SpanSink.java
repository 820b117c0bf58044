package dev.ambit.waypoint.proxy;

/** Where finished request spans go (OpenTelemetry in production, nowhere when tracing is off). */
@FunctionalInterface
public interface SpanSink {

  SpanSink NONE = span -> {};

  /** Called once per request on an event loop: must not block. */
  void export(RequestSpan span);
}
