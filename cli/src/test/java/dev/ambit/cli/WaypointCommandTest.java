package dev.ambit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ambit.api.Kind;
import dev.ambit.api.ResourceKey;
import dev.ambit.api.core.PodSpec;
import dev.ambit.api.core.ServiceSpec;
import dev.ambit.api.gateway.GatewaySpec;
import dev.ambit.control.ControlPlane;
import dev.ambit.proto.client.ManagementClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ambit waypoint apply/list/delete} against a real control plane over its socket. */
class WaypointCommandTest {

  @TempDir Path home;
  private ControlPlane cp;

  record Run(int code, String out, String err) {}

  @BeforeEach
  void start() {
    cp =
        ControlPlane.start(
            new ControlPlane.Options(
                home,
                new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", 0),
                "cluster.local",
                null,
                Duration.ofHours(24),
                Duration.ofMillis(20)));
  }

  @AfterEach
  void stop() {
    cp.close();
  }

  private Run run(String... args) {
    CommandLine cmd = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--home";
    all[args.length + 1] = home.toString();
    int code = cmd.execute(all);
    return new Run(code, out.toString(), err.toString());
  }

  private List<String> waypointPods(String ns, String gateway) {
    return cp.store().snapshot().list(PodSpec.class, ns).stream()
        .filter(p -> gateway.equals(p.metadata().labels().get(WaypointCommand.GATEWAY_NAME)))
        .map(p -> p.name())
        .sorted()
        .toList();
  }

  @Test
  void applyDeploysTheWaypointAndEnrollsTheNamespace() {
    Run apply = run("waypoint", "apply", "-n", "shop", "--enroll-namespace", "--replicas", "2");
    assertThat(apply.err()).isEmpty();
    assertThat(apply.code()).isZero();
    assertThat(apply.out()).isEqualTo("gateway/waypoint created\nnamespace/shop labeled\n");

    var gw = cp.store().snapshot().get(GatewaySpec.class, "shop", "waypoint").orElseThrow();
    assertThat(gw.spec().gatewayClassName()).isEqualTo("istio-waypoint");
    assertThat(gw.spec().listeners())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.name()).isEqualTo("mesh");
              assertThat(l.port()).isEqualTo(15008);
              assertThat(l.protocol()).isEqualTo("HBONE");
            });
    assertThat(gw.metadata().labels()).containsEntry("istio.io/waypoint-for", "service");

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(waypointPods("shop", "waypoint"))
                  .containsExactly("waypoint-0", "waypoint-1");
              assertThat(cp.store().snapshot().get(ServiceSpec.class, "shop", "waypoint"))
                  .hasValueSatisfying(s -> assertThat(s.spec().clusterIP()).startsWith("10.96."));
            });
    assertThat(
            cp.store()
                .snapshot()
                .get(new ResourceKey(Kind.NAMESPACE, null, "shop"))
                .orElseThrow()
                .metadata()
                .labels())
        .containsEntry("istio.io/use-waypoint", "waypoint");

    Run again = run("waypoint", "apply", "-n", "shop", "--for", "all");
    assertThat(again.out()).isEqualTo("gateway/waypoint configured\n");
    assertThat(
            cp.store()
                .snapshot()
                .get(GatewaySpec.class, "shop", "waypoint")
                .orElseThrow()
                .metadata()
                .labels())
        .containsEntry("istio.io/waypoint-for", "all");
  }

  @Test
  void listShowsAddressAndReadyPods() {
    assertThat(run("waypoint", "apply", "-n", "shop", "--name", "wp", "--for", "workload").code())
        .isZero();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> waypointPods("shop", "wp").equals(List.of("wp-0")));
    String vip =
        cp.store().snapshot().get(ServiceSpec.class, "shop", "wp").orElseThrow().spec().clusterIP();

    Run pending = run("waypoint", "list", "-n", "shop");
    assertThat(pending.code()).isZero();
    assertThat(pending.out())
        .isEqualTo(
            "NAMESPACE   NAME   FOR        ADDRESS"
                + " ".repeat(vip.length() - 4)
                + "READY\n"
                + "shop        wp     workload   "
                + vip
                + "   0/1\n");

    try (ManagementClient mgmt = ManagementClient.connect(home.resolve("control.sock"))) {
      mgmt.updatePodStatus("shop", "wp-0", "10.241.1.9", "Running");
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(run("waypoint", "list", "-A").out())
                    .contains("workload   " + vip + "   1/1\n"));

    Run otherNs = run("waypoint", "list", "-n", "default");
    assertThat(otherNs.code()).isZero();
    assertThat(otherNs.out()).isEmpty();
    assertThat(otherNs.err()).isEqualTo("No waypoints found in default namespace.\n");
  }

  @Test
  void deleteRemovesGatewayServiceAndPods() {
    assertThat(run("waypoint", "apply", "-n", "shop").code()).isZero();
    assertThat(run("waypoint", "apply", "-n", "shop", "--name", "second").code()).isZero();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                waypointPods("shop", "waypoint").size() == 1
                    && waypointPods("shop", "second").size() == 1);

    Run delete = run("waypoint", "delete", "waypoint", "-n", "shop");
    assertThat(delete.code()).isZero();
    assertThat(delete.out()).isEqualTo("gateway \"waypoint\" deleted\n");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(waypointPods("shop", "waypoint")).isEmpty();
              assertThat(cp.store().snapshot().get(ServiceSpec.class, "shop", "waypoint"))
                  .isEmpty();
            });
    assertThat(waypointPods("shop", "second")).containsExactly("second-0");

    Run all = run("waypoint", "delete", "--all", "-n", "shop");
    assertThat(all.out()).isEqualTo("gateway \"second\" deleted\n");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(waypointPods("shop", "second")).isEmpty();
              assertThat(cp.store().snapshot().get(ServiceSpec.class, "shop", "second")).isEmpty();
            });

    Run missing = run("waypoint", "delete", "nope", "-n", "shop");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).isEqualTo("error: waypoint \"nope\" not found in namespace shop\n");
  }

  @Test
  void deleteRefusesAGatewayThatIsNotAWaypoint() throws Exception {
    Path file = home.resolve("ingress.yaml");
    java.nio.file.Files.writeString(
        file,
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: ingress, namespace: shop}
        spec:
          gatewayClassName: other
          listeners: [{name: http, port: 80, protocol: HTTP}]
        """);
    assertThat(run("apply", "-f", file.toString()).code()).isZero();

    Run delete = run("waypoint", "delete", "ingress", "-n", "shop");
    assertThat(delete.code()).isEqualTo(1);
    assertThat(delete.err())
        .isEqualTo("error: gateway \"ingress\" is not a waypoint (class istio-waypoint)\n");
    assertThat(cp.store().snapshot().get(GatewaySpec.class, "shop", "ingress")).isPresent();
    assertThat(run("waypoint", "list", "-n", "shop").err())
        .isEqualTo("No waypoints found in shop namespace.\n");
  }
}
