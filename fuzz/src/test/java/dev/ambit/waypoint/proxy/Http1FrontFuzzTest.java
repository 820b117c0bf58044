package dev.ambit.waypoint.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Bytes from a client into the waypoint's HTTP/1.1 front (the decoder, {@link RequestGuard} and the
 * expect-continue handler, in the order the waypoint installs them). Whatever arrives, the front
 * forwards well-framed requests or answers and closes: nothing is thrown out of the pipeline,
 * nothing is forwarded after a refusal (no smuggled request), every body belongs to a forwarded
 * request and has the length its headers announce, and the outcome does not depend on how the bytes
 * were split into reads.
 */
class Http1FrontFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void frontOnlyForwardsWellFramedRequestsOrAnswersAndCloses(byte[] input) {
    Outcome whole = run(input, input.length);
    Outcome split = run(input, input.length / 2);
    assertThat(split.events).as("outcome independent of segmentation").isEqualTo(whole.events);
  }

  private static Outcome run(byte[] input, int splitAt) {
    Outcome o = new Outcome();
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new CombinedChannelDuplexHandler<>(
                new StrictRequestDecoder(), new HttpResponseEncoder()),
            o.answers,
            new RequestGuard(Protocol.HTTP1),
            new HttpServerExpectContinueHandler(),
            o);
    try {
      if (splitAt > 0) {
        ch.writeInbound(Unpooled.wrappedBuffer(input, 0, splitAt));
      }
      if (splitAt < input.length && ch.isOpen()) {
        ch.writeInbound(Unpooled.wrappedBuffer(input, splitAt, input.length - splitAt));
      }
      ch.runPendingTasks();
      ch.checkException();
      if (o.failure != null) {
        throw o.failure;
      }
      for (Object out; (out = ch.readOutbound()) != null; ) {
        ReferenceCountUtil.release(out);
      }
      if (o.refused) {
        assertThat(ch.isOpen()).as("closed after a refusal").isFalse();
      }
      o.finish();
      return o;
    } finally {
      ch.finishAndReleaseAll();
    }
  }

  /** Stands where the exchange handler is: records what the front lets through. */
  private static final class Outcome extends ChannelInboundHandlerAdapter {
    final List<String> events = new ArrayList<>();
    boolean refused;

    /** The first broken invariant or exception (Netty would swallow one thrown here). */
    AssertionError failure;

    private boolean ended;
    private HttpRequest open;
    private long expected = -1;
    private long received;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        assertThat(refused).as("nothing forwarded after a refusal").isFalse();
        assertThat(ended).as("nothing forwarded after a body the decoder failed").isFalse();
        forwarded((HttpObject) msg);
      } catch (AssertionError e) {
        failure = failure == null ? e : failure;
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void forwarded(HttpObject msg) {
      if (msg instanceof HttpContent && msg.decoderResult().isFailure()) {
        // A body that goes bad after its request was let through: the exchange handler fails the
        // exchange on it; it must be the last thing forwarded.
        assertThat(open).as("failed body bytes without a forwarded request").isNotNull();
        ended = true;
        events.add("body failed");
        return;
      }
      assertThat(msg.decoderResult().isSuccess())
          .as("forwarded a message the decoder failed: %s", msg.decoderResult())
          .isTrue();
      if (msg instanceof HttpRequest req) {
        assertThat(open).as("a request forwarded before the previous body ended").isNull();
        List<String> lengths = req.headers().getAll(HttpHeaderNames.CONTENT_LENGTH);
        boolean chunked = req.headers().contains(HttpHeaderNames.TRANSFER_ENCODING);
        assertThat(lengths.size()).as("Content-Length headers").isLessThanOrEqualTo(1);
        assertThat(lengths.isEmpty() || !chunked).as("Content-Length with chunked").isTrue();
        assertThat(req.protocolVersion()).isIn(HttpVersion.HTTP_1_0, HttpVersion.HTTP_1_1);
        assertThat(req.headers().getAll(HttpHeaderNames.HOST))
            .hasSizeBetween(req.protocolVersion().equals(HttpVersion.HTTP_1_1) ? 1 : 0, 1);
        expected = lengths.isEmpty() ? (chunked ? -1 : 0) : Long.parseLong(lengths.getFirst());
        received = 0;
        open = req;
        events.add("request " + req.method() + " " + req.uri() + " " + req.headers().names());
      }
      if (msg instanceof HttpContent c) {
        assertThat(open).as("body bytes without a forwarded request").isNotNull();
        received += c.content().readableBytes();
        if (expected >= 0) {
          assertThat(received).as("body longer than Content-Length").isLessThanOrEqualTo(expected);
        }
        if (c instanceof LastHttpContent) {
          if (expected >= 0) {
            assertThat(received).as("body shorter than Content-Length").isEqualTo(expected);
          }
          events.add("body " + received);
          open = null;
        }
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (failure == null) {
        failure = new AssertionError("exception out of the HTTP/1 front", cause);
      }
    }

    /** Sees every answer the front writes, before it is encoded. */
    final ChannelOutboundHandlerAdapter answers =
        new ChannelOutboundHandlerAdapter() {
          @Override
          public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof HttpResponse res) {
              events.add("answer " + res.status().code());
              if (res.status().code() >= 400) {
                refused = true;
              }
            }
            ctx.write(msg, promise);
          }
        };

    void finish() {
      if (open != null) {
        events.add("open body " + received);
      }
    }
  }
}
