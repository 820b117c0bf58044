package dev.ambit.ztunnel.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ambit.ztunnel.state.StateStore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Bytes from a client into a pod's SOCKS5 port (the handler and decoders the ztunnel installs; an
 * upstream that records what it is asked to connect). Whatever arrives: nothing is thrown out of
 * the pipeline; at most one upstream connection is asked for, and only for a complete CONNECT to an
 * address; a complete greeting offering "no authentication" followed by a complete request is
 * always answered (connected, or a SOCKS5 failure reply) rather than dropped.
 */
class Socks5FuzzTest {

  @FuzzTest(maxDuration = "60s")
  void socks5OnlyConnectsWellFormedRequestsAndAnswersTheRest(byte[] input) {
    List<InetSocketAddress> asked = new ArrayList<>();
    EmbeddedChannel ch = new EmbeddedChannel();
    Socks5Handler.install(
        ch.pipeline(),
        new Socks5Handler(
            (downstream, target, connected) -> {
              asked.add(target);
              connected.accept(false);
            },
            new StateStore(),
            "default"));
    try {
      ch.writeInbound(Unpooled.wrappedBuffer(input));
      ch.runPendingTasks();
      ch.checkException();
      int replies = 0;
      for (Object out; (out = ch.readOutbound()) != null; ) {
        replies += ((ByteBuf) out).readableBytes() > 0 ? 1 : 0;
        ((ByteBuf) out).release();
      }
      Request expected = Request.parse(input);
      assertThat(asked.size()).as("upstream connections asked for").isLessThanOrEqualTo(1);
      if (!asked.isEmpty()) {
        assertThat(expected).as("connected without a complete request").isNotNull();
        assertThat(expected.command).as("connected for a command other than CONNECT").isEqualTo(1);
        assertThat(asked.getFirst().getPort()).isEqualTo(expected.port);
      }
      if (expected != null) {
        assertThat(replies).as("complete request left unanswered").isEqualTo(2);
      }
    } finally {
      ch.finishAndReleaseAll();
    }
  }

  /** A reference reading of RFC 1928: a version 5 greeting offering method 0, then a request. */
  record Request(int command, int port) {

    static Request parse(byte[] b) {
      if (b.length < 2 || b[0] != 5) {
        return null;
      }
      int methods = b[1] & 0xff;
      int at = 2 + methods;
      if (methods == 0 || b.length < at) {
        return null;
      }
      boolean noAuth = false;
      for (int i = 2; i < at; i++) {
        noAuth |= b[i] == 0;
      }
      if (!noAuth || b.length < at + 4 || b[at] != 5) {
        return null;
      }
      int command = b[at + 1] & 0xff;
      int type = b[at + 3] & 0xff;
      int addr = at + 4;
      int end =
          switch (type) {
            case 1 -> addr + 4;
            case 3 -> addr < b.length ? addr + 1 + (b[addr] & 0xff) : Integer.MAX_VALUE;
            case 4 -> addr + 16;
            default -> -1;
          };
      if (end < 0) {
        return new Request(command, -1);
      }
      if ((long) end + 2 > b.length) {
        return null;
      }
      return new Request(command, ((b[end] & 0xff) << 8) | (b[end + 1] & 0xff));
    }
  }
}
