package dev.ambit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.control.ControlPlane;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** apply/get/describe/label/delete against a real control plane over its socket. */
class ControlVerbsTest {

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

  @Test
  void applyGetDescribeLabelDelete() throws Exception {
    Path file = home.resolve("app.yaml");
    Files.writeString(
        file,
        """
        apiVersion: v1
        kind: Service
        metadata: {name: reviews}
        spec:
          clusterIP: 10.96.7.7
          selector: {app: reviews}
          ports: [{name: http, port: 9080}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: reviews-v1, labels: {app: reviews}}
        spec:
          containers: [{name: app, image: echo}]
        """);

    Run apply = run("apply", "-f", file.toString());
    assertThat(apply.code()).isZero();
    assertThat(apply.out()).isEqualTo("service/reviews created\npod/reviews-v1 created\n");

    Run get = run("get", "svc");
    assertThat(get.out())
        .startsWith("NAME      CLUSTER-IP   PORTS      AGE\nreviews   10.96.7.7    9080/TCP   ");

    Run label = run("label", "namespace", "default", "istio.io/dataplane-mode=ambient");
    assertThat(label.code()).isZero();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cp.state().pods().get("default/reviews-v1").getAmbient());

    Run describe = run("describe", "pod", "reviews-v1");
    assertThat(describe.out())
        .contains("Identity:               spiffe://cluster.local/ns/default/sa/default")
        .contains(
            "Mesh:                   ambient (namespace default has istio.io/dataplane-mode=ambient)")
        .contains("default/reviews.default.svc.cluster.local [9080->9080]");

    Run noFile = run("apply", "-f", home.resolve("nope.yaml").toString());
    assertThat(noFile.code()).isEqualTo(1);
    assertThat(noFile.err()).endsWith("nope.yaml: no such file or directory\n");

    Run delete = run("delete", "pod", "reviews-v1");
    assertThat(delete.out()).isEqualTo("pod \"reviews-v1\" deleted\n");
    Run missing = run("get", "pod", "reviews-v1");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).isEqualTo("error: pod \"reviews-v1\" not found\n");
  }

  @Test
  void invalidFileIsReportedWithFileAndLineAndNothingIsApplied() throws Exception {
    Path file = home.resolve("bad.yaml");
    Files.writeString(
        file,
        """
        apiVersion: v1
        kind: Namespace
        metadata: {name: ok}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: x}
        spec:
          ports:
          - port: 0
        """);
    Run apply = run("apply", "-f", file.toString());
    assertThat(apply.code()).isEqualTo(1);
    assertThat(apply.err()).startsWith("error: " + file + ":10: spec.ports[0].port: ");
    assertThat(run("get", "namespaces").err()).startsWith("No resources found");
  }
}
