package dev.ambit.waypoint.identity;

import dev.ambit.transport.hbone.ServerTlsSelector;
import dev.ambit.transport.identity.CertificateIssuer;
import dev.ambit.transport.identity.Pem;
import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;
import dev.ambit.transport.tls.MeshTls;
import io.netty.handler.ssl.SslContext;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The waypoint's own certificate: requested from the CA with a fresh key, renewed at half-life (the
 * old one serves until the new one is in place), retried with backoff on failure.
 */
public final class WaypointCertificates implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WaypointCertificates.class);
  private static final Duration MAX_RETRY = Duration.ofSeconds(30);

  /** Signs a CSR for an identity: returns the PEM chain, leaf first (a trailing root is fine). */
  @FunctionalInterface
  public interface Signer {
    List<String> sign(String csrPem, String spiffeId, Duration validity) throws Exception;
  }

  private record Current(WorkloadCertificate cert, SslContext server) {}

  private final SpiffeId id;
  private final Signer signer;
  private final List<X509Certificate> roots;
  private final Duration validity;
  private final Clock clock;
  private final AtomicReference<Current> current = new AtomicReference<>();
  private final CompletableFuture<WorkloadCertificate> first = new CompletableFuture<>();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("waypoint-certificates").factory());
  private Duration retry = Duration.ofSeconds(1);

  /**
   * @param roots the mesh trust roots (from the node credential's root-cert.pem)
   */
  public WaypointCertificates(
      SpiffeId id, Signer signer, List<X509Certificate> roots, Duration validity, Clock clock) {
    this.id = id;
    this.signer = signer;
    this.roots = List.copyOf(roots);
    this.validity = validity;
    this.clock = clock;
  }

  /** Starts fetching; the returned future completes with the first certificate. */
  public CompletableFuture<WorkloadCertificate> start() {
    scheduler.execute(this::renew);
    return first;
  }

  public WorkloadCertificate current() {
    Current c = current.get();
    if (c == null) {
      throw new IllegalStateException("no certificate for " + id.uri() + " yet");
    }
    return c.cert;
  }

  /** The server context of the current certificate, for each accepted HBONE connection. */
  public ServerTlsSelector serverSelector() {
    return accepted -> {
      Current c = current.get();
      // An expired certificate is not offered: the connection is refused here (fail closed).
      boolean valid = c != null && c.cert.notAfter().isAfter(clock.instant());
      return CompletableFuture.completedFuture(valid ? c.server : null);
    };
  }

  private void renew() {
    try {
      KeyPair keys = CertificateIssuer.newKeyPair();
      List<String> pems = signer.sign(CertificateIssuer.csr(keys, id), id.uri(), validity);
      List<X509Certificate> chain =
          pems.stream().flatMap(p -> Pem.certificates(p).stream()).toList();
      List<X509Certificate> withoutRoots = chain.stream().filter(c -> !roots.contains(c)).toList();
      WorkloadCertificate cert =
          new WorkloadCertificate(id, keys.getPrivate(), withoutRoots, roots);
      current.set(new Current(cert, MeshTls.server(cert)));
      first.complete(cert);
      retry = Duration.ofSeconds(1);
      Duration wait = Duration.between(clock.instant(), cert.renewAt());
      LOG.info(
          "certificate for {} valid until {}; renewing in {}", id.uri(), cert.notAfter(), wait);
      schedule(wait.isNegative() ? Duration.ZERO : wait);
    } catch (Exception e) {
      Current c = current.get();
      if (c != null && !c.cert.notAfter().isAfter(clock.instant())) {
        LOG.error(
            "certificate for {} expired at {} and cannot be renewed (retrying in {}): {};"
                + " connections are refused until the CA issues a new one",
            id.uri(),
            c.cert.notAfter(),
            retry,
            e.toString());
      } else {
        LOG.warn(
            "cannot get a certificate for {} (retrying in {}): {}", id.uri(), retry, e.toString());
      }
      schedule(retry);
      retry = retry.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : retry.multipliedBy(2);
    }
  }

  private void schedule(Duration d) {
    if (!scheduler.isShutdown()) {
      scheduler.schedule(this::renew, d.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** When the current certificate expires, or null before the first one. */
  public Instant notAfter() {
    Current c = current.get();
    return c == null ? null : c.cert.notAfter();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
