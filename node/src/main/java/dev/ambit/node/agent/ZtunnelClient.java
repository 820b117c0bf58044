package dev.ambit.node.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Hands pod namespaces to the node's ztunnel over its pods socket: one JSON line per request, one
 * JSON line back ({@code {"ok":true}} or {@code {"ok":false,"error":".."}}).
 */
public final class ZtunnelClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path socket;

  public ZtunnelClient(Path socket) {
    this.socket = socket;
  }

  /** Asks ztunnel to serve the pod; returns once its listeners in the pod's netns are open. */
  public void add(PodSpec pod, String uid, Path netns, List<String> ips) throws IOException {
    ObjectNode msg = JSON.createObjectNode();
    msg.put("type", "add");
    msg.put("uid", uid);
    msg.put("name", pod.name());
    msg.put("namespace", pod.namespace());
    msg.put("serviceAccount", pod.serviceAccount());
    msg.put("netns", netns.toString());
    msg.set("ips", JSON.valueToTree(ips));
    call(msg);
  }

  /** Tells ztunnel the pod left the mesh (or is gone). */
  public void del(String uid) throws IOException {
    ObjectNode msg = JSON.createObjectNode();
    msg.put("type", "del");
    msg.put("uid", uid);
    call(msg);
  }

  private void call(ObjectNode msg) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      OutputStream out = Channels.newOutputStream(ch);
      out.write((JSON.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
      String line = in.readLine();
      if (line == null) {
        throw new IOException(
            "ztunnel closed the pods socket without answering " + msg.get("type"));
      }
      JsonNode reply = JSON.readTree(line);
      if (!reply.path("ok").asBoolean(false)) {
        throw new IOException(
            "ztunnel refused "
                + msg.get("type").asText()
                + " of "
                + msg.get("uid").asText()
                + ": "
                + reply.path("error").asText("no reason given"));
      }
    }
  }
}
