package dev.ambit.node.cni;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a container runtime (or anyone who can run the plugin) may feed the CNI plugin: malformed,
 * incomplete, huge or deeply nested configuration. Each ends as the spec's error object on stdout
 * (cniVersion, code, msg) and a non-zero exit status, never a stack trace or a hang.
 */
class CniHostileTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PREV =
      "\"prevResult\":{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.1.2.3/24\"}]}";

  private record Outcome(int exit, JsonNode error) {}

  private static Outcome run(String command, String netns, InputStream stdin) throws Exception {
    Map<String, String> env = new HashMap<>();
    if (command != null) {
      env.put("CNI_COMMAND", command);
    }
    if (netns != null) {
      env.put("CNI_NETNS", netns);
    }
    env.put("CNI_ARGS", "K8S_POD_NAMESPACE=default;K8S_POD_NAME=p");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = CniMain.run(stdin, env, new PrintStream(out, true, StandardCharsets.UTF_8));
    return new Outcome(exit, JSON.readTree(out.toString(StandardCharsets.UTF_8)));
  }

  private static Outcome run(String command, String stdin) throws Exception {
    return run(
        command,
        "/proc/self/ns/net",
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
  }

  private static void assertError(Outcome o, int code, String message) {
    assertThat(o.exit()).isNotZero();
    assertThat(o.error().path("cniVersion").asText()).isNotEmpty();
    assertThat(o.error().path("code").isInt()).as(o.error().toString()).isTrue();
    assertThat(o.error().path("code").asInt()).as(o.error().toString()).isEqualTo(code);
    assertThat(o.error().path("msg").asText()).contains(message);
  }

  @Test
  void truncatedJsonIsUndecodable() throws Exception {
    assertError(run("ADD", "{\"cniVersion\": \"1.0.0\", \"name\":"), 6, "cannot decode");
  }

  @Test
  void binaryGarbageIsUndecodable() throws Exception {
    assertError(run("ADD", "\u0000\u0001\u00ff garbage"), 6, "cannot decode");
  }

  @Test
  void versionWithGarbageIsUndecodable() throws Exception {
    assertError(run("VERSION", "{{{"), 6, "cannot decode");
  }

  @Test
  void missingCommandIsRefused() throws Exception {
    assertError(run(null, "{\"cniVersion\":\"1.0.0\"}"), 4, "unknown CNI_COMMAND");
  }

  @Test
  void unknownCommandIsRefused() throws Exception {
    assertError(run("EXPLODE", "{\"cniVersion\":\"1.0.0\"}"), 4, "unknown CNI_COMMAND");
  }

  @Test
  void addWithoutNetnsIsRefused() throws Exception {
    Outcome o =
        run(
            "ADD",
            null,
            new ByteArrayInputStream(("{\"cniVersion\":\"1.0.0\"," + PREV + "}").getBytes()));
    assertError(o, 4, "CNI_NETNS");
  }

  @Test
  void addWithoutPodsSocketIsRefused() throws Exception {
    assertError(run("ADD", "{\"cniVersion\":\"1.0.0\"," + PREV + "}"), 7, "podsSocket");
  }

  @Test
  void nonObjectConfigurationIsRefused() throws Exception {
    assertError(run("ADD", "[1, 2, 3]"), 7, "prevResult");
    assertError(run("ADD", "\"just a string\""), 7, "prevResult");
  }

  @Test
  void emptyInputIsRefused() throws Exception {
    assertError(run("ADD", ""), 7, "prevResult");
  }

  @Test
  void hugeInputIsRefusedWithoutReadingItAll() throws Exception {
    // 64 MiB of spaces, produced lazily: only the limit and one byte are ever read.
    InputStream endless =
        new InputStream() {
          long left = 64L << 20;

          @Override
          public int read() {
            return left-- > 0 ? ' ' : -1;
          }
        };
    assertError(run("ADD", "/proc/self/ns/net", endless), 6, "larger than");
  }

  @Test
  void deeplyNestedJsonIsUndecodable() throws Exception {
    int depth = 100_000;
    assertError(run("ADD", "[".repeat(depth) + "]".repeat(depth)), 6, "cannot decode");
  }

  @Test
  void podsSocketThatIsNotAPathIsAnErrorObject() throws Exception {
    // Once a stack trace without an error object (an invalid path escaped the plugin on DEL).
    // No CNI_NETNS: DEL leaves every namespace's rules alone.
    Outcome o =
        run(
            "DEL",
            "",
            new ByteArrayInputStream(
                "{\"cniVersion\":\"1.0.0\",\"podsSocket\":\"/run/\\u0000x\"}"
                    .getBytes(StandardCharsets.UTF_8)));
    assertError(o, 999, "internal error");
  }
}
