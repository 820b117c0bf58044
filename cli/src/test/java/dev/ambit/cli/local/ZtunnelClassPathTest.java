package dev.ambit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ZtunnelClassPathTest {
  private static final String CLASS_PATH =
      "/opt/a/ambit-cli.jar:/opt/a/lib/netty-common-4.2.jar:/opt/a/lib/fabric8-client.jar"
          + ":/opt/a/lib/picocli-4.7.jar";

  @Test
  void aZtunnelGetsTheCliAndOnlyTheListedJarsInTheListsOrder() {
    String cp =
        ZtunnelClassPath.select(
            "lib/picocli-4.7.jar:lib/netty-common-4.2.jar\n", "/opt/a/ambit-cli.jar", CLASS_PATH);
    assertThat(cp)
        .isEqualTo(
            "/opt/a/ambit-cli.jar:/opt/a/lib/picocli-4.7.jar:/opt/a/lib/netty-common-4.2.jar");
  }

  @Test
  void aListedJarMissingFromTheClassPathGivesTheWholeClassPath() {
    String cp =
        ZtunnelClassPath.select(
            "lib/picocli-4.7.jar:lib/netty-common-4.3.jar", "/opt/a/ambit-cli.jar", CLASS_PATH);
    assertThat(cp).isEqualTo(CLASS_PATH);
  }

  @Test
  void theBuildListsTheZtunnelsJarsWithoutTheOtherComponentsOrOtherPlatforms() {
    assertThat(ZtunnelClassPath.list())
        .hasValueSatisfying(
            list ->
                assertThat(list)
                    .contains("lib/ambit-ztunnel-", "lib/picocli-", "lib/grpc-netty-")
                    .contains("lib/netty-transport-native-epoll-", "lib/logback-classic-")
                    .doesNotContain("ambit-control", "ambit-waypoint", "kubernetes", "vertx")
                    .doesNotContain("opentelemetry", "windows", "osx"));
  }
}
