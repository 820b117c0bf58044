package dev.ambit.waypoint.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ambit.waypoint.testing.Harness;
import dev.ambit.waypoint.testing.TestClient;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class AccessLogTest {

  @Test
  void fieldsWithQuotesAndBackslashesStayValidJson() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger("dev.ambit.waypoint.access");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try (Harness h = new Harness();
        TestClient c = TestClient.http1(h.group, h.reviews())) {
      String agent = "agent \"quoted\" back\\slash";
      assertThat(c.get("/a", "user-agent", agent).status()).isEqualTo(200);
      await().until(() -> appender.list.size() == 1);
      JsonNode line = new ObjectMapper().readTree(appender.list.get(0).getFormattedMessage());
      assertThat(line.get("user_agent").asText()).isEqualTo(agent);
      assertThat(line.get("route").asText()).isEmpty();
      assertThat(line.get("duration_ms").isNumber()).isTrue();
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void oneJsonLinePerRequest() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger("dev.ambit.waypoint.access");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try (Harness h = new Harness();
        TestClient c = TestClient.http1(h.group, h.reviews())) {
      String parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
      assertThat(c.get("/items?id=1", "traceparent", parent, "user-agent", "curl/8").status())
          .isEqualTo(200);
      await().until(() -> appender.list.size() == 1);
      JsonNode line = new ObjectMapper().readTree(appender.list.get(0).getFormattedMessage());
      assertThat(line.get("method").asText()).isEqualTo("GET");
      assertThat(line.get("path").asText()).isEqualTo("/items?id=1");
      assertThat(line.get("protocol").asText()).isEqualTo("HTTP/1.1");
      assertThat(line.get("response_code").asInt()).isEqualTo(200);
      assertThat(line.get("response_flags").asText()).isEqualTo("-");
      assertThat(line.get("source_principal").asText()).isEqualTo(Harness.CLIENT);
      assertThat(line.get("source_address").asText()).isEqualTo("10.241.1.50");
      assertThat(line.get("destination").asText()).isEqualTo("shop/reviews");
      assertThat(line.get("upstream_service").asText())
          .isEqualTo("shop/reviews.shop.svc.cluster.local");
      assertThat(line.get("upstream_host").asText()).matches("10\\.241\\.1\\.1[12]:8080");
      assertThat(line.get("trace_id").asText()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
      assertThat(line.get("user_agent").asText()).isEqualTo("curl/8");
      assertThat(line.get("attempts").asInt()).isEqualTo(1);
    } finally {
      logger.detachAppender(appender);
    }
  }
}
