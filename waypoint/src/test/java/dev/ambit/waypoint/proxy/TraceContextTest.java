package dev.ambit.waypoint.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceContextTest {

  @Test
  void aRequestWithoutTraceContextStartsATrace() {
    TraceContext t = TraceContext.continueOrStart(null);
    assertThat(t.traceparent()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    assertThat(t.traceId()).isNotEqualTo("0".repeat(32));
    assertThat(t.spanId()).isNotEqualTo("0".repeat(16));
    assertThat(TraceContext.continueOrStart(null).traceId()).isNotEqualTo(t.traceId());
  }

  @Test
  void theCallersTraceContinuesWithANewSpan() {
    String incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    TraceContext t = TraceContext.continueOrStart(incoming);
    assertThat(t.traceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(t.parentSpanId()).isEqualTo("b7ad6b7169203331");
    assertThat(t.spanId()).matches("[0-9a-f]{16}").isNotEqualTo("b7ad6b7169203331");
    assertThat(t.traceparent()).startsWith("00-0af7651916cd43dd8448eb211c80319c-").endsWith("-01");
  }

  @Test
  void anAllZeroTraceOrParentIdStartsANewTrace() {
    String zeroTrace = "00-" + "0".repeat(32) + "-b7ad6b7169203331-01";
    String zeroParent = "00-0af7651916cd43dd8448eb211c80319c-" + "0".repeat(16) + "-01";
    assertThat(TraceContext.continueOrStart(zeroTrace).traceId()).isNotEqualTo("0".repeat(32));
    assertThat(TraceContext.continueOrStart(zeroParent).traceId())
        .isNotEqualTo("0af7651916cd43dd8448eb211c80319c");
  }

  @Test
  void malformedTraceparentsStartANewTrace() {
    String ok = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    for (String bad :
        new String[] {
          "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
          "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",
          "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0",
          "00-0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331-01",
          "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra",
          "00-0af7651916cd43dd8448eb211c8031zz-b7ad6b7169203331-01"
        }) {
      assertThat(TraceContext.continueOrStart(bad).parentSpanId()).as(bad).isEmpty();
    }
    assertThat(TraceContext.continueOrStart("  " + ok + " ").parentSpanId())
        .isEqualTo("b7ad6b7169203331");
  }
}
