package dev.ambit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LauncherTest {

  @Test
  void aZtunnelStartsThroughItsOwnEntryPointWithItsMemorySettings() {
    List<String> cmd = Launcher.ambit("ztunnel", "--node", "node1");
    assertThat(cmd).startsWith("env", "MALLOC_ARENA_MAX=2");
    assertThat(cmd).contains("-XX:+UseSerialGC", "-Dio.netty.jfr.enabled=false");
    assertThat(cmd).endsWith(Launcher.ZTUNNEL_MAIN, "--node", "node1");
    assertThat(cmd).doesNotContain(Launcher.MAIN, "ztunnel");
  }

  @Test
  void otherComponentsStartThroughTheMainCommand() {
    List<String> cmd = Launcher.ambit("control", "--home", "h");
    assertThat(cmd).endsWith(Launcher.MAIN, "control", "--home", "h");
    assertThat(cmd).contains("-Dio.netty.jfr.enabled=false").doesNotContain("env", "-Xmx256m");
  }

  @Test
  void aWaypointStartsThroughTheMainCommandWithItsMemorySettings() {
    List<String> cmd = Launcher.ambit("waypoint-proxy", "--name", "w");
    assertThat(cmd).endsWith(Launcher.MAIN, "waypoint-proxy", "--name", "w");
    assertThat(cmd)
        .contains("-XX:+UseSerialGC", "-Xmn32m", "-Dio.netty.jfr.enabled=false")
        .doesNotContain("env");
  }
}
