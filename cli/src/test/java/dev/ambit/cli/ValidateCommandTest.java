package dev.ambit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ValidateCommandTest {

  private static final String ROUTE =
      """
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata:
        name: reviews
      spec:
        parentRefs:
        - {group: "", kind: Service, name: reviews, port: 9080}
        rules:
        - backendRefs:
          - {name: reviews-v1, port: 9080}
      """;

  private static final String POLICY =
      """
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata:
        name: p
      spec:
        rules:
        - to:
          - operation:
              methods: ["GTE"]
        - from:
          - source:
              ipBlocks: ["10.0.0.0/40"]
      """;

  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(ValidateCommand command, String... args) {
    CommandLine cmd = new CommandLine(command);
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    return cmd.execute(args);
  }

  @Test
  void printsOkWithTheNumberOfObjects() throws Exception {
    Files.writeString(
        dir.resolve("route.yaml"),
        ROUTE + "---\n" + ROUTE.replace("name: reviews\n", "name: ratings\n"));
    Files.createDirectories(dir.resolve("more"));
    Files.writeString(
        dir.resolve("more/ns.json"),
        "{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"shop\"}}");

    int exit = run(new ValidateCommand(), dir.toString());

    assertThat(exit).isZero();
    assertThat(out.toString()).isEqualTo("ok (3 objects)\n");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void printsEveryErrorOnItsOwnLineAndExitsOne() throws Exception {
    Path good = dir.resolve("good.yaml");
    Path bad = dir.resolve("policy.yaml");
    Files.writeString(good, ROUTE);
    Files.writeString(bad, POLICY);

    int exit = run(new ValidateCommand(), good.toString(), bad.toString());

    assertThat(exit).isEqualTo(1);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString())
        .isEqualTo(
            bad
                + ":9: spec.rules[0].to[0].operation.methods[0]: \"GTE\" is not an HTTP method\n"
                + bad
                + ":12: spec.rules[1].from[0].source.ipBlocks[0]: \"10.0.0.0/40\" is not an IP address or CIDR block\n");
  }

  @Test
  void readsStandardInputAndFindsDuplicatesAcrossInputs() throws Exception {
    Path file = dir.resolve("route.yaml");
    Files.writeString(file, ROUTE);
    ValidateCommand command = new ValidateCommand();
    command.stdin =
        new ByteArrayInputStream(("# from a pipe\n" + ROUTE).getBytes(StandardCharsets.UTF_8));

    int exit = run(command, file.toString(), "-");

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo(
            "<stdin>:2: metadata.name: duplicate HTTPRoute default/reviews (first defined at "
                + file
                + ":1)\n");
  }

  @Test
  void isAVerbOfTheAmbitCommand() {
    CommandLine main = Main.commandLine();
    main.setOut(new PrintWriter(out));
    main.setErr(new PrintWriter(err));

    int exit = main.execute("validate", dir.resolve("missing.yaml").toString());

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo(dir.resolve("missing.yaml") + ":0: no such file or directory\n");
  }
}
