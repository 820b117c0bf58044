package dev.ambit.waypoint.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real nginx on loopback serving HTTP/2 with prior knowledge (h2c), run as a child process in a
 * directory of its own: {@code GET} of any path answers a 1 KiB body of 'x', {@code PUT
 * /files/NAME} stores the request body (WebDAV) and {@code GET /files/NAME} answers it, {@code
 * /empty} answers 204.
 */
public final class Nginx implements AutoCloseable {

  public static final int BODY_BYTES = 1024;

  private final Path dir;
  private final Process process;
  private final InetSocketAddress address;

  public Nginx() throws IOException {
    dir = Files.createTempDirectory("ambit-nginx");
    Files.createDirectories(dir.resolve("www"));
    Files.createDirectories(dir.resolve("tmp"));
    Files.createDirectories(dir.resolve("www/files"));
    Files.writeString(dir.resolve("www/1k"), "x".repeat(BODY_BYTES));
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    address = new InetSocketAddress("127.0.0.1", port);
    Files.writeString(dir.resolve("nginx.conf"), config(dir, port));
    process =
        new ProcessBuilder(
                "nginx",
                "-p",
                dir.toString(),
                "-e",
                dir.resolve("error.log").toString(),
                "-c",
                dir.resolve("nginx.conf").toString(),
                "-g",
                "daemon off; master_process off;")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .failFast("nginx exited; see " + dir.resolve("error.log"), () -> !process.isAlive())
          .until(
              () -> {
                try (Socket s = new Socket(address.getAddress(), port)) {
                  return true;
                }
              });
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private static String config(Path dir, int port) {
    String tmp = dir.resolve("tmp").toString();
    return """
        user root;
        worker_processes 1;
        pid %1$s/nginx.pid;
        events { worker_connections 256; }
        http {
          access_log off;
          client_body_temp_path %2$s;
          proxy_temp_path %2$s;
          fastcgi_temp_path %2$s;
          uwsgi_temp_path %2$s;
          scgi_temp_path %2$s;
          keepalive_requests 100; # GOAWAY after 100 requests on a connection
          client_max_body_size 16m;
          client_body_buffer_size 16m;
          server {
            listen 127.0.0.1:%3$d http2;
            root %1$s/www;
            location = /empty { return 204; }
            location /files/ { dav_methods PUT DELETE; }
            location / { try_files /1k =404; default_type text/plain; }
          }
        }
        """
        .formatted(dir, tmp, port);
  }

  public InetSocketAddress address() {
    return address;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
