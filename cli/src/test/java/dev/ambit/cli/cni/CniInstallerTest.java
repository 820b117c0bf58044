package dev.ambit.cli.cni;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CniInstallerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;
  private CniInstaller installer;
  private Path conf;
  private Path bin;

  @BeforeEach
  void layout() throws Exception {
    Path runtime = Files.createDirectories(dir.resolve("src/runtime/bin"));
    Files.writeString(runtime.resolve("java"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(
        runtime.resolve("java"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Path lib = Files.createDirectories(dir.resolve("src/lib"));
    Files.writeString(lib.resolve("ambit-cli.jar"), "jar");
    conf = Files.createDirectories(dir.resolve("net.d"));
    bin = dir.resolve("bin");
    installer =
        new CniInstaller(
            new CniInstaller.Layout(
                dir.resolve("src/runtime"),
                lib,
                dir.resolve("node-opt"),
                Path.of("/opt/ambit"),
                bin,
                conf,
                Path.of("/var/run/ambit/ztunnel.sock")));
  }

  private static List<String> types(JsonNode list) {
    List<String> out = new ArrayList<>();
    list.get("plugins").forEach(p -> out.add(p.get("type").asText()));
    return out;
  }

  @Test
  void appendsItselfToThePrimaryConflistOnceAndRemovesItself() throws Exception {
    Files.writeString(
        conf.resolve("10-bridge.conflist"),
        """
        {"cniVersion":"1.0.0","name":"k8s","plugins":[{"type":"bridge","bridge":"cni0"},{"type":"portmap"}]}
        """);
    Files.writeString(conf.resolve("99-other.conflist"), "{\"plugins\":[]}");

    assertThat(installer.ensureChained()).contains(conf.resolve("10-bridge.conflist"));
    JsonNode list = JSON.readTree(conf.resolve("10-bridge.conflist").toFile());
    assertThat(types(list)).containsExactly("bridge", "portmap", "ambit");
    assertThat(list.get("plugins").get(2).get("podsSocket").asText())
        .isEqualTo("/var/run/ambit/ztunnel.sock");
    assertThat(list.get("plugins").get(0).get("bridge").asText()).isEqualTo("cni0");
    assertThat(installer.ensureChained()).isEmpty();

    // Another component rewrites the file with our entry in the middle: we move back to the end.
    Files.writeString(
        conf.resolve("10-bridge.conflist"),
        """
        {"cniVersion":"1.0.0","name":"k8s","plugins":[{"type":"bridge"},{"type":"ambit","podsSocket":"/var/run/ambit/ztunnel.sock"},{"type":"portmap"}]}
        """);
    assertThat(installer.ensureChained()).isPresent();
    assertThat(types(JSON.readTree(conf.resolve("10-bridge.conflist").toFile())))
        .containsExactly("bridge", "portmap", "ambit");

    installer.uninstall();
    assertThat(types(JSON.readTree(conf.resolve("10-bridge.conflist").toFile())))
        .containsExactly("bridge", "portmap");
    assertThat(installer.ensureChained()).isEmpty();
    assertThat(Files.readString(conf.resolve("99-other.conflist"))).isEqualTo("{\"plugins\":[]}");
  }

  @Test
  void aSinglePluginConfBecomesAConflist() throws Exception {
    Files.writeString(
        conf.resolve("05-ptp.conf"),
        "{\"cniVersion\":\"0.4.0\",\"name\":\"net\",\"type\":\"ptp\",\"ipam\":{\"type\":\"host-local\"}}");
    assertThat(installer.ensureChained()).contains(conf.resolve("05-ptp.conflist"));
    assertThat(conf.resolve("05-ptp.conf")).doesNotExist();
    JsonNode list = JSON.readTree(conf.resolve("05-ptp.conflist").toFile());
    assertThat(list.get("cniVersion").asText()).isEqualTo("0.4.0");
    assertThat(list.get("name").asText()).isEqualTo("net");
    assertThat(types(list)).containsExactly("ptp", "ambit");
    assertThat(list.get("plugins").get(0).get("ipam").get("type").asText()).isEqualTo("host-local");
  }

  @Test
  void noConfigurationYetChangesNothing() throws Exception {
    assertThat(installer.ensureChained()).isEmpty();
    assertThat(conf).isEmptyDirectory();
  }

  @Test
  void installsRuntimeJarsAndALauncherNamingTheNodePaths() throws Exception {
    installer.installBinaries();
    assertThat(dir.resolve("node-opt/runtime/bin/java")).isExecutable();
    assertThat(dir.resolve("node-opt/lib/ambit-cli.jar")).hasContent("jar");
    Path launcher = bin.resolve("ambit");
    assertThat(launcher).isExecutable();
    assertThat(Files.readString(launcher))
        .startsWith("#!/bin/sh\n")
        .contains("exec /opt/ambit/runtime/bin/java ")
        .contains("-cp '/opt/ambit/lib/*' dev.ambit.cli.Main cni\n");
    installer.installBinaries();
    installer.uninstall();
    assertThat(launcher).doesNotExist();
  }
}
