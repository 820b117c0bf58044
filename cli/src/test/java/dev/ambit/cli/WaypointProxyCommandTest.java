package dev.ambit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ambit.control.ControlPlane;
import dev.ambit.proto.client.CaClient;
import dev.ambit.proto.client.ControlPlaneCredentials;
import dev.ambit.proto.client.ManagementClient;
import dev.ambit.proto.control.ApplyRequest;
import dev.ambit.proto.control.ConfigSource;
import dev.ambit.transport.hbone.HbonePool;
import dev.ambit.transport.hbone.HbonePoolConfig;
import dev.ambit.transport.hbone.HboneTarget;
import dev.ambit.transport.identity.CertificateIssuer;
import dev.ambit.transport.identity.Pem;
import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;
import dev.ambit.waypoint.Waypoint;
import dev.ambit.waypoint.WaypointSettings;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A waypoint replica against a real control plane on loopback: it gets its identity from the CA,
 * its configuration over xDS, and then answers HBONE tunnels with the configured L7 behaviour.
 */
class WaypointProxyCommandTest {

  static final String CONFIG =
      """
      apiVersion: v1
      kind: Namespace
      metadata: {name: shop}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: reviews, namespace: shop, labels: {istio.io/use-waypoint: waypoint}}
      spec:
        selector: {app: reviews}
        ports: [{name: http, port: 9080, targetPort: 8080}]
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: reviews-v1, namespace: shop, labels: {app: reviews}}
      spec:
        serviceAccountName: reviews
        containers: [{name: app, image: echo}]
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: curl, namespace: shop}
      spec:
        serviceAccountName: curl
        containers: [{name: app, image: curl}]
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata: {name: waypoint, namespace: shop}
      spec:
        gatewayClassName: istio-waypoint
        listeners: [{name: mesh, port: 15008, protocol: HBONE}]
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: {name: reviews, namespace: shop}
      spec:
        parentRefs: [{group: "", kind: Service, name: reviews, port: 9080}]
        rules:
        - matches: [{path: {type: PathPrefix, value: /old}}]
          filters:
          - type: RequestRedirect
            requestRedirect:
              statusCode: 301
              path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}
        - backendRefs: [{name: reviews, port: 9080}]
      ---
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: deny-admin, namespace: shop}
      spec:
        targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}]
        action: DENY
        rules: [{to: [{operation: {paths: ["/admin/*"]}}]}]
      """;

  @TempDir Path home;

  @Test
  void waypointGetsItsIdentityAndConfigAndAppliesRoutesAndPolicy() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    Path creds = home.resolve("node1-creds");
    try (ControlPlane cp =
            ControlPlane.start(
                new ControlPlane.Options(
                    home,
                    new InetSocketAddress("127.0.0.1", 0),
                    new InetSocketAddress("127.0.0.1", 0),
                    "cluster.local",
                    null,
                    Duration.ofHours(24),
                    Duration.ofMillis(50)));
        ManagementClient mgmt = ManagementClient.connect(cp.socket())) {
      mgmt.registerNode("node1", "10.240.0.11", creds);
      mgmt.stub()
          .apply(
              ApplyRequest.newBuilder()
                  .addSources(ConfigSource.newBuilder().setName("app.yaml").setYaml(CONFIG))
                  .build());
      await().atMost(Duration.ofSeconds(10)).until(() -> cp.state().pods().size() == 3);
      String xds = "127.0.0.1:" + cp.xdsPort();
      try (Waypoint waypoint =
              Waypoint.start(
                  new WaypointSettings(
                      "waypoint",
                      "shop",
                      "node1",
                      "cluster.local",
                      xds,
                      creds,
                      new InetSocketAddress("127.0.0.1", 0),
                      new InetSocketAddress("127.0.0.1", 0)));
          HttpClient http = HttpClient.newHttpClient();
          HbonePool pool = new HbonePool(group, HbonePoolConfig.defaults())) {
        URI ready =
            URI.create(
                "http://127.0.0.1:" + waypoint.metricsAddress().getPort() + "/healthz/ready");
        await()
            .atMost(Duration.ofSeconds(15))
            .until(
                () ->
                    http.send(
                                java.net.http.HttpRequest.newBuilder(ready).build(),
                                HttpResponse.BodyHandlers.ofString())
                            .statusCode()
                        == 200);

        byte[] vip =
            cp.state()
                .services()
                .get("shop/reviews.shop.svc.cluster.local")
                .getAddresses(0)
                .getAddress()
                .toByteArray();
        String authority = InetAddress.getByAddress(vip).getHostAddress() + ":9080";
        Channel tunnel =
            pool.connect(
                    new HboneTarget(
                        waypoint.hboneAddress(),
                        authority,
                        Set.of(SpiffeId.parse("spiffe://cluster.local/ns/shop/sa/waypoint")),
                        Map.of()),
                    curlCertificate(xds, creds),
                    NioSocketChannel::new)
                .get(10, TimeUnit.SECONDS);
        BlockingQueue<FullHttpResponse> responses = new ArrayBlockingQueue<>(4);
        tunnel
            .eventLoop()
            .submit(
                () -> {
                  tunnel
                      .pipeline()
                      .addLast(new HttpClientCodec())
                      .addLast(new HttpObjectAggregator(1 << 16))
                      .addLast(
                          new SimpleChannelInboundHandler<FullHttpResponse>() {
                            @Override
                            protected void channelRead0(
                                ChannelHandlerContext ctx, FullHttpResponse r) {
                              responses.add(r.retain());
                            }
                          });
                  tunnel.config().setAutoRead(true);
                })
            .sync();

        FullHttpResponse denied = send(tunnel, responses, "/admin/users");
        assertThat(denied.status().code()).isEqualTo(403);
        assertThat(denied.content().toString(StandardCharsets.UTF_8))
            .isEqualTo("RBAC: access denied");
        denied.release();
        FullHttpResponse redirect = send(tunnel, responses, "/old/page");
        assertThat(redirect.status().code()).isEqualTo(301);
        assertThat(redirect.headers().get("location"))
            .isEqualTo("http://reviews.shop.svc.cluster.local:9080/new/page");
        redirect.release();
        tunnel.close();

        // A request's metrics are recorded once its response has gone downstream, which the
        // client can see first: scrape until the last one is there.
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () ->
                    assertThat(
                            http.send(
                                    java.net.http.HttpRequest.newBuilder(
                                            URI.create(
                                                "http://127.0.0.1:"
                                                    + waypoint.metricsAddress().getPort()
                                                    + "/metrics"))
                                        .build(),
                                    HttpResponse.BodyHandlers.ofString())
                                .body())
                        .contains("source_principal=\"spiffe://cluster.local/ns/shop/sa/curl\"")
                        .contains("destination_service=\"reviews.shop.svc.cluster.local\"")
                        .contains(
                            "response_code=\"403\",grpc_response_status=\"\",response_flags=\"UAEX\"} 1")
                        .contains(
                            "response_code=\"301\",grpc_response_status=\"\",response_flags=\"DR\"} 1"));
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static FullHttpResponse send(
      Channel tunnel, BlockingQueue<FullHttpResponse> responses, String path) throws Exception {
    FullHttpRequest req =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.GET, path, Unpooled.EMPTY_BUFFER);
    req.headers().set("host", "reviews.shop.svc.cluster.local:9080");
    HttpUtil.setContentLength(req, 0);
    tunnel.writeAndFlush(req).sync();
    FullHttpResponse r = responses.poll(10, TimeUnit.SECONDS);
    assertThat(r).as("response to " + path).isNotNull();
    return r;
  }

  /** The curl pod's identity, as its node's ztunnel would obtain it. */
  private static WorkloadCertificate curlCertificate(String xds, Path creds) throws Exception {
    KeyPair keys = CertificateIssuer.newKeyPair();
    SpiffeId id = SpiffeId.parse("spiffe://cluster.local/ns/shop/sa/curl");
    try (CaClient ca = new CaClient(xds, ControlPlaneCredentials.fromDirectory(creds))) {
      List<String> chain =
          ca.createCertificate(CertificateIssuer.csr(keys, id), id.uri(), Duration.ofHours(1));
      String root = Files.readString(creds.resolve("root-cert.pem"));
      return WorkloadCertificate.fromPem(
          String.join("", chain.subList(0, chain.size() - 1)),
          Pem.encodePrivateKey(keys.getPrivate()),
          root);
    }
  }
}
