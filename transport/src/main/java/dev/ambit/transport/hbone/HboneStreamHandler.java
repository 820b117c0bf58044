package dev.ambit.transport.hbone;

/**
 * Decides what happens to each inbound HBONE CONNECT. Called on the stream's event loop; must not
 * block: start any upstream connect asynchronously and answer later with exactly one of {@link
 * HboneStream#accept(io.netty.channel.Channel, RelayCounters)}, {@link HboneStream#accept()} or
 * {@link HboneStream#reject(int)} (from any thread). Bytes the client sends meanwhile are held. A
 * handler that throws gets the stream rejected with 503.
 */
@FunctionalInterface
public interface HboneStreamHandler {
  /** Answers {@code stream}; {@link HboneStream#request()} says what the client asked for. */
  void handle(HboneStream stream);
}
