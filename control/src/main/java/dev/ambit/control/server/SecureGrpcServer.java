package dev.ambit.control.server;

import dev.ambit.control.ca.IssuedCredential;
import dev.ambit.transport.identity.Pem;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The xDS/CA port: gRPC over TLS with the control plane's serving certificate; every client must
 * present a node credential chaining to the mesh root (see {@link CallerNode}), or, when a {@link
 * TokenAuthenticator} is given, a bearer token it accepts.
 */
public final class SecureGrpcServer implements AutoCloseable {

  private final Server server;

  public SecureGrpcServer(
      InetSocketAddress address,
      IssuedCredential serving,
      String trustDomain,
      List<BindableService> services) {
    this(address, serving, trustDomain, services, null);
  }

  /** {@code tokens} may be null (node credentials only). */
  public SecureGrpcServer(
      InetSocketAddress address,
      IssuedCredential serving,
      String trustDomain,
      List<BindableService> services,
      TokenAuthenticator tokens) {
    try {
      TlsServerCredentials.Builder tls =
          TlsServerCredentials.newBuilder()
              .keyManager(
                  stream(Pem.encodeCertificates(serving.chain())),
                  stream(Pem.encodePrivateKey(serving.key())))
              .trustManager(stream(Pem.encode(serving.root())))
              .clientAuth(
                  tokens == null
                      ? TlsServerCredentials.ClientAuth.REQUIRE
                      : TlsServerCredentials.ClientAuth.OPTIONAL);
      NettyServerBuilder builder =
          NettyServerBuilder.forAddress(address, tls.build())
              .executor(Executors.newVirtualThreadPerTaskExecutor())
              .keepAliveTime(30, TimeUnit.SECONDS)
              .permitKeepAliveTime(10, TimeUnit.SECONDS);
      CallerNode auth = new CallerNode(trustDomain, tokens);
      for (BindableService s : services) {
        builder.addService(ServerInterceptors.intercept(s, auth));
      }
      this.server = builder.build().start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + address + ": " + e.getMessage(), e);
    }
  }

  private static ByteArrayInputStream stream(String pem) {
    return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
  }

  /** The bound port (useful when started on port 0). */
  public int port() {
    return ((InetSocketAddress) server.getListenSockets().getFirst()).getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
