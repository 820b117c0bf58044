package dev.ambit.control.server;

import dev.ambit.control.ca.CaLoader;
import dev.ambit.control.ca.CaService;
import dev.ambit.control.ca.CertificateAuthority;
import dev.ambit.control.ca.Identities;
import dev.ambit.control.ca.NodeAuthorizer;
import dev.ambit.control.metrics.ControlMetrics;
import dev.ambit.control.xds.DeltaAdsService;
import dev.ambit.control.xds.XdsPublisher;
import dev.ambit.proto.client.ControlPlaneCredentials;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** A real TLS xDS/CA server on loopback with node credentials written for tests. */
public final class ControlFixture implements AutoCloseable {

  public final ControlMetrics metrics = new ControlMetrics();
  public final XdsPublisher publisher = new XdsPublisher();
  public final CertificateAuthority ca;
  public final Path dir;
  private final NodeAuthorizer authorizer;
  private SecureGrpcServer server;
  private int port;

  public ControlFixture(Path dir, NodeAuthorizer authorizer) {
    this.dir = dir;
    this.authorizer = authorizer;
    this.ca =
        new CertificateAuthority(
            CaLoader.loadOrCreateRoot(dir.resolve("ca"), "cluster.local"),
            "cluster.local",
            Duration.ofDays(1),
            Clock.systemUTC());
    start(0);
  }

  public void start(int wantedPort) {
    server =
        new SecureGrpcServer(
            new InetSocketAddress("127.0.0.1", wantedPort),
            ca.issueServerCredential(
                List.of(Identities.CONTROL_DNS_NAME), List.of("127.0.0.1"), Duration.ofDays(1)),
            "cluster.local",
            List.of(
                new CaService(ca, authorizer, metrics), new DeltaAdsService(publisher, metrics)));
    port = server.port();
  }

  public void stop() {
    server.close();
  }

  public String target() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Issues a node credential into {@code dir/<node>} and returns it. */
  public ControlPlaneCredentials node(String node) {
    Path d = dir.resolve("nodes").resolve(node);
    ca.issueNodeCredential(node, Duration.ofDays(1)).writeTo(d);
    return ControlPlaneCredentials.fromDirectory(d);
  }

  @Override
  public void close() {
    stop();
  }
}
