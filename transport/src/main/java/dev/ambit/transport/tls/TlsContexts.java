package dev.ambit.transport.tls;

import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;
import io.netty.handler.ssl.SslContext;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A cache of {@link MeshTls} contexts keyed by the certificate instance (and, for clients, the
 * expected peer identities). Rotation: pass the new {@link WorkloadCertificate}; contexts built for
 * an older certificate of the same identity are dropped, so new connections use the new one while
 * open connections keep theirs. Thread-safe.
 */
public final class TlsContexts {

  private record ClientKey(WorkloadCertificate cert, Set<SpiffeId> expected) {}

  private final ConcurrentHashMap<WorkloadCertificate, SslContext> servers =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<ClientKey, SslContext> clients = new ConcurrentHashMap<>();

  /** The server context for {@code cert}, built once. */
  public SslContext server(WorkloadCertificate cert) {
    SslContext context = servers.get(cert);
    if (context == null) {
      servers.keySet().removeIf(c -> c.id().equals(cert.id()) && !c.equals(cert));
      context = servers.computeIfAbsent(cert, MeshTls::server);
    }
    return context;
  }

  /** The client context for {@code cert} accepting servers in {@code expected}, built once. */
  public SslContext client(WorkloadCertificate cert, Set<SpiffeId> expected) {
    ClientKey key = new ClientKey(cert, Set.copyOf(expected));
    SslContext context = clients.get(key);
    if (context == null) {
      clients.keySet().removeIf(k -> k.cert().id().equals(cert.id()) && !k.cert().equals(cert));
      context = clients.computeIfAbsent(key, k -> MeshTls.client(k.cert(), k.expected()));
    }
    return context;
  }
}
