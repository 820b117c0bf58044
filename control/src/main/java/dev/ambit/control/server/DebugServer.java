package dev.ambit.control.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The debug/metrics port (15014): {@code /metrics} (Prometheus text), {@code /debug/config_dump}
 * (the computed mesh state as JSON), {@code /ready}.
 */
public final class DebugServer implements AutoCloseable {

  private final HttpServer server;

  public DebugServer(
      InetSocketAddress address, Supplier<String> metrics, Supplier<String> configDump) {
    try {
      server = HttpServer.create(address, 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + address + ": " + e.getMessage(), e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/metrics", ex -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
    server.createContext(
        "/debug/config_dump", ex -> send(ex, 200, "application/json", configDump.get()));
    server.createContext("/ready", ex -> send(ex, 200, "text/plain", "ready\n"));
    server.createContext("/", ex -> send(ex, 404, "text/plain", "not found\n"));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void send(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
