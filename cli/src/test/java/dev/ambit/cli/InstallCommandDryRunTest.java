package dev.ambit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `ambit install --dry-run` prints the manifests; bad input is a clear error, not a stack. */
class InstallCommandDryRunTest {

  private record Run(int status, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    int status = cmd.execute(args);
    return new Run(status, out.toString(), err.toString());
  }

  @Test
  void dryRunPrintsTheManifestsWithOverrides() {
    Run r = run("install", "--dry-run", "-n", "mesh", "--set", "control.replicas=2");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out())
        .startsWith("---\n# Source: ambit/crds/authorizationpolicies.yaml\n")
        .contains("kind: Namespace\nmetadata:\n  name: mesh\n")
        .contains("  replicas: 2\n")
        .contains("- ambit-control.mesh.svc:15012\n");
  }

  @Test
  void malformedSetIsReported() {
    Run r = run("install", "--dry-run", "--set", "no-equals-sign");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).contains("ambit install: --set expects key=value, got no-equals-sign");
    assertThat(r.out()).isEmpty();
  }
}
