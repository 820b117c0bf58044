package dev.ambit.transport.hbone;

import java.time.Duration;

/**
 * Pool tuning.
 *
 * @param maxStreamsPerConnection streams per TLS connection (further capped by the server's
 *     SETTINGS_MAX_CONCURRENT_STREAMS); when all connections for a key are full, another opens
 * @param idleTimeout a connection without streams for this long is closed
 * @param connectTimeout the longest wait for a new connection to be ready (TCP connected, TLS
 *     handshake done, HTTP/2 SETTINGS received), and for the answer to a CONNECT
 */
public record HbonePoolConfig(
    int maxStreamsPerConnection, Duration idleTimeout, Duration connectTimeout) {

  public HbonePoolConfig {
    if (maxStreamsPerConnection < 1) {
      throw new IllegalArgumentException("maxStreamsPerConnection must be at least 1");
    }
  }

  /** 100 streams per connection, 60 s idle timeout, 10 s connect timeout. */
  public static HbonePoolConfig defaults() {
    return new HbonePoolConfig(100, Duration.ofSeconds(60), Duration.ofSeconds(10));
  }
}
