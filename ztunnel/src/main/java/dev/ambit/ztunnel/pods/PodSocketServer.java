package dev.ambit.ztunnel.pods;

import dev.ambit.ztunnel.json.JsonReader;
import dev.ambit.ztunnel.json.JsonWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent's hand-off: a unix socket speaking JSON lines. Requests {@code
 * {"type":"add","uid":..,"name":..,"namespace":..,"serviceAccount":..,"netns":..,"ips":[..]}} and
 * {@code {"type":"del","uid":..}}; each gets one line back, {@code {"ok":true}} or {@code
 * {"ok":false,"error":".."}}. The socket file is made owner-only (0600).
 */
public final class PodSocketServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PodSocketServer.class);
  private static final long REQUEST_TIMEOUT_SECONDS = 60;

  private final Path path;
  private final PodLifecycle pods;
  private final ServerSocketChannel server;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

  public PodSocketServer(Path path, PodLifecycle pods) throws IOException {
    this.path = path;
    this.pods = pods;
    Files.deleteIfExists(path);
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path));
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    threads.execute(this::acceptLoop);
    LOG.info("pods socket listening on {}", path);
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      try {
        SocketChannel client = server.accept();
        threads.execute(() -> serve(client));
      } catch (IOException e) {
        if (server.isOpen()) {
          LOG.warn("pods socket accept failed", e);
        }
      }
    }
  }

  private void serve(SocketChannel client) {
    try (client;
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8));
        OutputStream out = Channels.newOutputStream(client)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        try {
          handle(request(line));
          reply.put("ok", true);
        } catch (Exception e) {
          Throwable cause = unwrap(e);
          LOG.warn("pods socket request failed: {}", cause.getMessage());
          reply.put("ok", false);
          reply.put("error", String.valueOf(cause.getMessage()));
        }
        out.write((JsonWriter.compact(reply) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (IOException e) {
      LOG.debug("pods socket client gone", e);
    }
  }

  private static Map<?, ?> request(String line) {
    if (!(JsonReader.parse(line) instanceof Map<?, ?> request)) {
      throw new IllegalArgumentException("a request must be a JSON object");
    }
    return request;
  }

  private void handle(Map<?, ?> request) throws Exception {
    String type = text(request, "type");
    switch (type) {
      case "add" ->
          pods.add(spec(request))
              .toCompletableFuture()
              .get(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      case "del" ->
          pods.remove(required(request, "uid"))
              .toCompletableFuture()
              .get(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      default -> throw new IllegalArgumentException("unknown request type: " + type);
    }
  }

  private static Throwable unwrap(Throwable e) {
    while ((e instanceof ExecutionException || e instanceof CompletionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  static PodSpec spec(Map<?, ?> request) {
    List<InetAddress> ips = new ArrayList<>();
    if (!(request.get("ips") instanceof List<?> list) || list.isEmpty()) {
      throw new IllegalArgumentException("add needs a non-empty \"ips\" array");
    }
    for (Object ip : list) {
      ips.add(dev.ambit.ztunnel.state.Addresses.parseLiteral(String.valueOf(ip)));
    }
    String netns = text(request, "netns");
    return new PodSpec(
        required(request, "uid"),
        text(request, "name"),
        required(request, "namespace"),
        text(request, "serviceAccount"),
        netns.isEmpty() ? null : Path.of(netns),
        ips);
  }

  private static String text(Map<?, ?> node, String field) {
    Object v = node.get(field);
    return v == null || v instanceof Map || v instanceof List ? "" : v.toString();
  }

  private static String required(Map<?, ?> node, String field) {
    String v = text(node, field);
    if (v.isEmpty()) {
      throw new IllegalArgumentException("missing \"" + field + "\"");
    }
    return v;
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
    Files.deleteIfExists(path);
  }
}
