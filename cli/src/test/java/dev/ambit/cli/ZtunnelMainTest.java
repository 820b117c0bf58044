package dev.ambit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ZtunnelMainTest {

  @Test
  void takesTheZtunnelArgumentsWithOrWithoutTheCommandName() {
    assertThat(ZtunnelMain.withoutCommandName(new String[] {"ztunnel", "--node", "n1"}))
        .containsExactly("--node", "n1");
    assertThat(ZtunnelMain.withoutCommandName(new String[] {"--node", "n1"}))
        .containsExactly("--node", "n1");
    assertThat(ZtunnelMain.withoutCommandName(new String[] {})).isEmpty();
  }
}
