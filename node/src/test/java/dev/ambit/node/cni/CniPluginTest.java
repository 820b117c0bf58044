package dev.ambit.node.cni;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ambit.node.net.Commands;
import dev.ambit.node.net.NetnsOps;
import dev.ambit.node.redirect.RedirectionRules;
import dev.ambit.node.testing.Root;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ambit's CNI plugin chained after the reference bridge and host-local plugins, driven the way a
 * container runtime drives a chain: each plugin executed with the CNI environment and its
 * configuration plus the previous result on stdin. The bridge lives in a "node" namespace the test
 * creates.
 */
class CniPluginTest {
  private static final Path REFERENCE_PLUGINS = Path.of("/usr/lib/cni");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private String node;
  private String pod;
  private Path podsSocket;
  private ServerSocketChannel ztunnel;
  private final BlockingQueue<JsonNode> ztunnelRequests = new LinkedBlockingQueue<>();
  private Path pluginDir;

  @BeforeEach
  void setUp() throws Exception {
    Root.require();
    assertThat(REFERENCE_PLUGINS.resolve("bridge"))
        .as("the reference CNI plugins (package containernetworking-plugins)")
        .exists();
    node = Root.uniqueName("at");
    pod = node + "p";
    NetnsOps.add(node);
    NetnsOps.add(pod);
    podsSocket = dir.resolve("pods.sock");
    ztunnel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    ztunnel.bind(UnixDomainSocketAddress.of(podsSocket));
    Thread.ofVirtual().start(this::serveZtunnel);
    pluginDir = Files.createDirectories(dir.resolve("bin"));
    Path plugin = pluginDir.resolve("ambit");
    String java = ProcessHandle.current().info().command().orElseThrow();
    Files.writeString(
        plugin,
        "#!/bin/sh\nexec "
            + java
            + " --enable-native-access=ALL-UNNAMED -cp '"
            + System.getProperty("java.class.path")
            + "' dev.ambit.node.cni.CniExecutable\n");
    Files.setPosixFilePermissions(plugin, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (ztunnel != null) {
      ztunnel.close();
    }
    NetnsOps.destroy(pod, Duration.ofSeconds(1));
    NetnsOps.destroy(node, Duration.ofSeconds(1));
  }

  private void serveZtunnel() {
    while (ztunnel.isOpen()) {
      try (SocketChannel ch = ztunnel.accept()) {
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
        ztunnelRequests.add(JSON.readTree(in.readLine()));
        ch.write(ByteBuffer.wrap("{\"ok\":true}\n".getBytes(StandardCharsets.UTF_8)));
      } catch (Exception e) {
        return;
      }
    }
  }

  private List<ObjectNode> chain() {
    ObjectNode bridge = JSON.createObjectNode();
    bridge.put("type", "bridge");
    bridge.put("bridge", "cni0");
    bridge.put("isGateway", true);
    ObjectNode ipam = bridge.putObject("ipam");
    ipam.put("type", "host-local");
    ipam.put("subnet", "10.242.0.0/24");
    ipam.put("dataDir", dir.resolve("ipam").toString());
    ObjectNode ambit = JSON.createObjectNode();
    ambit.put("type", "ambit");
    ambit.put("podsSocket", podsSocket.toString());
    ambit.put("serviceAccount", "web");
    return List.of(bridge, ambit);
  }

  private Commands.Result exec(String command, ObjectNode plugin, JsonNode prevResult) {
    ObjectNode conf = plugin.deepCopy();
    conf.put("cniVersion", "1.0.0");
    conf.put("name", "atnet");
    if (prevResult != null) {
      conf.set("prevResult", prevResult);
    }
    Path binary =
        plugin.path("type").asText().equals("ambit")
            ? pluginDir.resolve("ambit")
            : REFERENCE_PLUGINS.resolve(plugin.path("type").asText());
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "env",
                "CNI_COMMAND=" + command,
                "CNI_CONTAINERID=" + pod,
                "CNI_NETNS=" + NetnsOps.path(pod),
                "CNI_IFNAME=eth0",
                "CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web",
                "CNI_PATH=" + REFERENCE_PLUGINS + ":" + pluginDir,
                binary.toString()));
    return Commands.exec(Commands.inNetns(node, cmd.toArray(String[]::new)), conf.toString());
  }

  @Test
  void addEnrollsThePodAfterBridgeAndHostLocalAndDelReleasesIt() throws Exception {
    List<ObjectNode> chain = chain();
    Commands.Result bridgeAdd = exec("ADD", chain.get(0), null);
    assertThat(bridgeAdd.exitCode()).as(bridgeAdd.stdout() + bridgeAdd.stderr()).isZero();
    JsonNode bridgeResult = JSON.readTree(bridgeAdd.stdout());

    Commands.Result ambitAdd = exec("ADD", chain.get(1), bridgeResult);

    assertThat(ambitAdd.exitCode()).as(ambitAdd.stdout() + ambitAdd.stderr()).isZero();
    JsonNode result = JSON.readTree(ambitAdd.stdout());
    assertThat(result).isEqualTo(bridgeResult);
    assertThat(result.path("ips").get(0).path("address").asText()).isEqualTo("10.242.0.2/24");
    JsonNode add = ztunnelRequests.poll(10, TimeUnit.SECONDS);
    assertThat(add.path("type").asText()).isEqualTo("add");
    assertThat(add.path("uid").asText()).isEqualTo("local//Pod/default/web");
    assertThat(add.path("serviceAccount").asText()).isEqualTo("web");
    assertThat(add.path("netns").asText()).isEqualTo(NetnsOps.path(pod).toString());
    assertThat(add.path("ips").toString()).isEqualTo("[\"10.242.0.2\"]");
    RedirectionRules rules = new RedirectionRules(NetnsOps.path(pod));
    assertThat(rules.applied()).isTrue();
    assertThat(Commands.run("ip", "-n", pod, "-4", "addr", "show", "eth0"))
        .contains("10.242.0.2/24");

    JsonNode withPrev = result;
    assertThat(exec("CHECK", chain.get(1), withPrev).exitCode()).isZero();

    Commands.Result ambitDel = exec("DEL", chain.get(1), withPrev);
    assertThat(ambitDel.exitCode()).as(ambitDel.stdout() + ambitDel.stderr()).isZero();
    assertThat(exec("DEL", chain.get(0), withPrev).exitCode()).isZero();

    JsonNode del = ztunnelRequests.poll(10, TimeUnit.SECONDS);
    assertThat(del.path("type").asText()).isEqualTo("del");
    assertThat(rules.applied()).isFalse();
    Commands.Result check = exec("CHECK", chain.get(1), withPrev);
    assertThat(check.exitCode()).isEqualTo(1);
    assertThat(JSON.readTree(check.stdout()).path("msg").asText())
        .contains("redirection rules are missing");
  }

  @Test
  void addWithoutAPreviousResultFailsWithACniError() throws Exception {
    Commands.Result r = exec("ADD", chain().get(1), null);

    assertThat(r.exitCode()).isEqualTo(1);
    JsonNode err = JSON.readTree(r.stdout());
    assertThat(err.path("code").asInt()).isEqualTo(7);
    assertThat(err.path("msg").asText()).contains("chained after a plugin that assigns addresses");
    assertThat(ztunnelRequests).isEmpty();
  }

  @Test
  void versionListsTheSupportedSpecVersions() throws Exception {
    Commands.Result r = exec("VERSION", chain().get(1), null);

    assertThat(r.exitCode()).isZero();
    JsonNode v = JSON.readTree(r.stdout());
    assertThat(v.path("cniVersion").asText()).isEqualTo("1.0.0");
    assertThat(v.path("supportedVersions").toString()).contains("\"0.4.0\"", "\"1.0.0\"");
  }
}
