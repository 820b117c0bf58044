package dev.ambit.ztunnel.admin;

import static dev.ambit.ztunnel.state.Fixtures.pod;
import static dev.ambit.ztunnel.state.Fixtures.resource;
import static dev.ambit.ztunnel.state.Fixtures.resources;
import static dev.ambit.ztunnel.state.Fixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ambit.proto.security.Action;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.security.Scope;
import dev.ambit.ztunnel.identity.CertificateStatus;
import dev.ambit.ztunnel.state.StateStore;
import dev.ambit.ztunnel.telemetry.ConnectionLabels;
import dev.ambit.ztunnel.telemetry.ConnectionRecord;
import dev.ambit.ztunnel.telemetry.TcpMetrics;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class AdminServersTest {

  final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  final HttpClient http = HttpClient.newHttpClient();
  final StateStore store = new StateStore();
  final TcpMetrics metrics = new TcpMetrics();
  final AtomicBoolean ready = new AtomicBoolean();
  final CountDownLatch quit = new CountDownLatch(1);
  AdminServers servers;

  @BeforeEach
  void start() throws Exception {
    InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
    servers =
        new AdminServers(
            new AdminServers.Addresses(any, any, any),
            group,
            store::snapshot,
            () ->
                List.of(
                    new CertificateStatus(
                        "spiffe://cluster.local/ns/a/sa/b",
                        Instant.parse("2030-01-01T00:00:00Z"),
                        "valid")),
            metrics,
            ready::get,
            quit::countDown);
  }

  @AfterEach
  void stop() {
    servers.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  HttpResponse<String> send(String method, InetSocketAddress at, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void metricsEndpointServesPrometheusText() throws Exception {
    new ConnectionRecord(
            metrics,
            ConnectionLabels.of(
                ConnectionLabels.Reporter.SOURCE, null, null, null, null, null, true),
            null,
            null)
        .received(5);
    HttpResponse<String> r = send("GET", servers.metricsAddress(), "/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(r.body())
        .contains("istio_tcp_received_bytes_total{reporter=\"source\"")
        .contains("connection_security_policy=\"mutual_tls\"} 5\n");
    assertThat(send("GET", servers.metricsAddress(), "/nope").statusCode()).isEqualTo(404);
  }

  @Test
  void readinessFollowsTheSupplier() throws Exception {
    assertThat(send("GET", servers.readyAddress(), "/healthz/ready").statusCode()).isEqualTo(503);
    ready.set(true);
    HttpResponse<String> r = send("GET", servers.readyAddress(), "/healthz/ready");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ready\n");
  }

  @Test
  void configDumpShowsWorkloadsServicesPoliciesAndCertificates() throws Exception {
    store.updateAddresses(
        resources(
            resource(pod("default", "curl", "sleep", "10.241.1.2")),
            resource(service("default", "web", "10.96.0.7", 80, 8080))),
        List.of());
    store.updateAuthorizations(
        Map.of(
            "default/deny",
            Authorization.newBuilder()
                .setNamespace("default")
                .setName("deny")
                .setScope(Scope.NAMESPACE)
                .setAction(Action.DENY)
                .build()),
        List.of());
    HttpResponse<String> r = send("GET", servers.adminAddress(), "/config_dump");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode dump = new ObjectMapper().readTree(r.body());
    JsonNode w = dump.get("workloads").get(0);
    assertThat(w.get("uid").asText()).isEqualTo("local//Pod/default/curl");
    assertThat(w.get("addresses").get(0).asText()).isEqualTo("10.241.1.2");
    assertThat(w.get("identity").asText()).isEqualTo("spiffe://cluster.local/ns/default/sa/sleep");
    assertThat(dump.get("services").get(0).get("vips").get(0).asText()).isEqualTo("10.96.0.7");
    assertThat(dump.get("policies").get(0).get("action").asText()).isEqualTo("DENY");
    assertThat(dump.get("certificates").get(0).get("expiry").asText())
        .isEqualTo("2030-01-01T00:00:00Z");
  }

  @Test
  void loggingShowsAndChangesLevels() throws Exception {
    String name = "dev.ambit.ztunnel.test" + Long.toHexString(System.nanoTime());
    HttpResponse<String> set = send("POST", servers.adminAddress(), "/logging?" + name + "=debug");
    assertThat(set.statusCode()).isEqualTo(200);
    assertThat(set.body()).contains(name + ": debug\n");
    assertThat(LoggerFactory.getLogger(name).isDebugEnabled()).isTrue();
    assertThat(send("POST", servers.adminAddress(), "/logging?" + name + "=loud").statusCode())
        .isEqualTo(400);
    assertThat(send("GET", servers.adminAddress(), "/logging").body()).contains(name + ": debug\n");
  }

  @Test
  void quitquitquitNeedsPostAndTriggersShutdown() throws Exception {
    assertThat(send("GET", servers.adminAddress(), "/quitquitquit").statusCode()).isEqualTo(405);
    assertThat(quit.getCount()).isEqualTo(1);
    assertThat(send("POST", servers.adminAddress(), "/quitquitquit").statusCode()).isEqualTo(200);
    assertThat(quit.await(10, TimeUnit.SECONDS)).isTrue();
  }
}
