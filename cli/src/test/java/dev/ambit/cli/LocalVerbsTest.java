package dev.ambit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.cli.local.AmbitHome;
import dev.ambit.cli.local.MeshState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What exec, logs, status and down say when there is nothing (or not that) to act on. */
class LocalVerbsTest {
  @TempDir Path home;

  private record Run(int code, String out, String err) {}

  private Run run(String... args) {
    CommandLine cmd = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    int code = cmd.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void verbsWithoutAMeshSaySoAndHowToStartOne() {
    String h = home.toString();
    assertThat(run("exec", "--home", h, "curl", "--", "true").err())
        .contains("No local mesh is running (start one with `ambit up`)");
    assertThat(run("logs", "--home", h, "curl").err()).contains("No local mesh is running");
    Run status = run("status", "--home", h);
    assertThat(status.code()).isEqualTo(1);
    assertThat(status.out()).contains("No local mesh is running");
    Run down = run("down", "--home", h);
    assertThat(down.code()).isZero();
    assertThat(down.out()).contains("No local mesh is running");
  }

  @Test
  void execNamesTheMissingPodOrNode() {
    new MeshState("ab0000", 2, 0, List.of()).write(new AmbitHome(home).stateFile());
    String h = home.toString();

    Run pod = run("exec", "--home", h, "-n", "shop", "web", "--", "true");
    assertThat(pod.code()).isEqualTo(1);
    assertThat(pod.err()).contains("No pod shop/web is running in the local mesh");

    Run node = run("exec", "--home", h, "--node", "node3", "--", "true");
    assertThat(node.code()).isEqualTo(1);
    assertThat(node.err()).contains("No node node3 in the local mesh (nodes: node1..node2)");

    Run logs = run("logs", "--home", h, "web");
    assertThat(logs.err()).contains("No logs for pod default/web");
  }
}
