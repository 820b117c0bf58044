package dev.ambit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mesh of the load and soak tests ({@code src/test/resources/load-mesh}): a client pod on
 * node1, a TCP echo pod (service {@code sink}, port 9000) on node2. Gives the test what it needs to
 * open connections from the client pod and to watch the ztunnel processes. Needs root.
 */
final class LoadMesh implements AutoCloseable {

  private static final Pattern MESH_NAME = Pattern.compile("Mesh (\\w+):");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Descriptors a process needs for 10,000 connections (one each, plus its own). */
  static final long NOFILE_NEEDED = 12_000;

  private final Path home;
  private final AmbitCli ambit;
  private final String mesh;
  private InetSocketAddress sink;

  private LoadMesh(Path home, AmbitCli ambit, String mesh) {
    this.home = home;
    this.ambit = ambit;
    this.mesh = mesh;
  }

  static LoadMesh up() throws Exception {
    assertThat(ProcessHandle.current().info().user().orElse(""))
        .as("the load tests create network namespaces and must run as root")
        .isEqualTo("root");
    Path home = Files.createTempDirectory("ambit-load-");
    AmbitCli ambit = new AmbitCli(home);
    Path config = Path.of("src", "test", "resources", "load-mesh").toAbsolutePath();
    AmbitCli.Result up = ambit.run("up", config.toString(), "--detach");
    Matcher name = MESH_NAME.matcher(up.stdout());
    LoadMesh m = new LoadMesh(home, ambit, name.find() ? name.group(1) : null);
    try {
      assertThat(up.exitCode()).as(up.toString()).isZero();
      assertThat(m.mesh).as(up.toString()).isNotNull();
      AmbitCli.Result hosts = m.exec("getent", "hosts", "sink");
      assertThat(hosts.exitCode()).as(hosts.toString()).isZero();
      m.sink = new InetSocketAddress(InetAddress.getByName(hosts.stdout().split("\\s+")[0]), 9000);
      m.raiseDescriptorLimits();
      return m;
    } catch (Throwable t) {
      m.close();
      throw t;
    }
  }

  /** The sink service's address (VIP:9000). */
  InetSocketAddress sink() {
    return sink;
  }

  /** The network namespace of the client pod. */
  Path clientNetns() {
    return Path.of("/var/run/netns", mesh + "-load-client");
  }

  /** The pid of a component as {@code ambit up} recorded it (ztunnel-node1, control...). */
  long pid(String component) throws IOException {
    for (JsonNode c : state().get("components")) {
      if (c.get("name").asText().equals(component)) {
        return c.get("pid").asLong();
      }
    }
    throw new AssertionError("no component " + component);
  }

  /** Runs {@code command} in the client pod. */
  AmbitCli.Result exec(String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of("exec", "client", "-n", "load", "--"));
    args.addAll(List.of(command));
    return ambit.run(args.toArray(String[]::new));
  }

  /** Runs a host command (ip, ss, jcmd...). */
  AmbitCli.Result host(String... command) throws Exception {
    return ambit.exec(List.of(command));
  }

  /** The mesh's network namespaces (nodes, pods, fabric). */
  List<String> namespaces() throws Exception {
    List<String> names = new ArrayList<>();
    for (String line : host("ip", "netns", "list").stdout().split("\n")) {
      String ns = line.split("\\s+")[0];
      if (ns.startsWith(mesh + "-") || ns.equals(mesh)) {
        names.add(ns);
      }
    }
    return names;
  }

  /**
   * Every mesh process (and this test's JVM) may open as many descriptors as its hard limit allows
   * (a JVM raises its soft limit so by itself; this covers any other process); the client and sink
   * pods get the whole ephemeral port range (200,000 short connections leave tens of thousands in
   * TIME_WAIT for a minute).
   */
  private void raiseDescriptorLimits() throws Exception {
    assertThat(hardNofile(ProcessHandle.current().pid()))
        .as("hard limit of open files (ulimit -Hn) for 10,000 connections")
        .isGreaterThanOrEqualTo(NOFILE_NEEDED);
    List<Long> pids = new ArrayList<>(List.of(ProcessHandle.current().pid()));
    for (JsonNode c : state().get("components")) {
      ProcessHandle.of(c.get("pid").asLong())
          .ifPresent(
              p -> {
                pids.add(p.pid());
                p.descendants().forEach(d -> pids.add(d.pid()));
              });
    }
    for (long pid : pids) {
      long limit = hardNofile(pid);
      AmbitCli.Result r =
          host("prlimit", "--pid", Long.toString(pid), "--nofile=" + limit + ":" + limit);
      assertThat(r.exitCode()).as(r.toString()).isZero();
    }
    for (String pod : List.of("client", "sink")) {
      String ns = mesh + "-load-" + pod;
      for (String sysctl :
          List.of("net.ipv4.ip_local_port_range=1024 65535", "net.ipv4.tcp_tw_reuse=1")) {
        AmbitCli.Result r = host("ip", "netns", "exec", ns, "sysctl", "-w", sysctl);
        assertThat(r.exitCode()).as(r.toString()).isZero();
      }
    }
  }

  private static long hardNofile(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits"))) {
      if (line.startsWith("Max open files")) {
        String hard = line.substring("Max open files".length()).trim().split("\\s+")[1];
        return hard.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(hard);
      }
    }
    throw new AssertionError("no open files limit for " + pid);
  }

  private JsonNode state() throws IOException {
    return JSON.readTree(home.resolve("mesh").resolve("state.json").toFile());
  }

  /** Keeps the logs in target/e2e-logs/load and takes the mesh down. */
  @Override
  public void close() throws Exception {
    Path logs = home.resolve("mesh");
    if (Files.isDirectory(logs)) {
      Path kept = Path.of("target", "e2e-logs", "load");
      try (var files = Files.walk(logs)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          Path copy = kept.resolve(logs.relativize(file).toString());
          Files.createDirectories(copy.getParent());
          Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    ambit.run("down");
    try (var files = Files.walk(home)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
