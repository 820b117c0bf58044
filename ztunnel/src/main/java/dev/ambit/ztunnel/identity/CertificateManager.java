package dev.ambit.ztunnel.identity;

import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workload certificates of the node's pods. A certificate is fetched when a pod is enrolled
 * ({@link #retain}) or on first use ({@link #get}), renewed at half its lifetime, and retried with
 * exponential backoff on failure; the current certificate is served until its replacement arrives.
 */
public final class CertificateManager implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CertificateManager.class);

  private final CertificateSource source;
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private final Clock clock;
  private final Map<SpiffeId, Entry> entries = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("cert-timer").factory());

  public CertificateManager(CertificateSource source) {
    this(source, Duration.ofMillis(500), Duration.ofSeconds(30), Clock.systemUTC());
  }

  public CertificateManager(
      CertificateSource source, Duration minBackoff, Duration maxBackoff, Clock clock) {
    this.source = source;
    this.minBackoff = minBackoff;
    this.maxBackoff = maxBackoff;
    this.clock = clock;
  }

  /** A valid certificate for {@code id}; fetched first when there is none yet. */
  public CompletableFuture<WorkloadCertificate> get(SpiffeId id) {
    return entry(id).current();
  }

  /**
   * Like {@link #get(SpiffeId)}, failing with a {@link java.util.concurrent.TimeoutException} when
   * no certificate is available within {@code wait}; the pending fetch goes on.
   */
  public CompletableFuture<WorkloadCertificate> get(SpiffeId id, Duration wait) {
    CompletableFuture<WorkloadCertificate> f = get(id);
    return f.isDone() ? f : f.copy().orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Marks {@code id} as used by one more pod, fetching its certificate ahead of traffic. */
  public void retain(SpiffeId id) {
    entry(id).refs.incrementAndGet();
  }

  /** Marks {@code id} as used by one pod fewer; the last release forgets the certificate. */
  public void release(SpiffeId id) {
    entries.computeIfPresent(
        id,
        (k, e) -> {
          if (e.refs.decrementAndGet() > 0) {
            return e;
          }
          e.stop();
          return null;
        });
  }

  /** What {@code /config_dump} shows. */
  public List<CertificateStatus> status() {
    List<CertificateStatus> out = new ArrayList<>();
    for (Entry e : entries.values()) {
      WorkloadCertificate c = e.certificate;
      out.add(new CertificateStatus(e.id.uri(), c == null ? null : c.notAfter(), e.state));
    }
    return out;
  }

  private Entry entry(SpiffeId id) {
    return entries.computeIfAbsent(
        id,
        k -> {
          Entry e = new Entry(k);
          e.schedule(Duration.ZERO);
          return e;
        });
  }

  @Override
  public void close() {
    timers.shutdownNow();
    entries.values().forEach(Entry::stop);
  }

  private final class Entry {
    final SpiffeId id;
    final java.util.concurrent.atomic.AtomicInteger refs =
        new java.util.concurrent.atomic.AtomicInteger();
    volatile WorkloadCertificate certificate;
    volatile CompletableFuture<WorkloadCertificate> served = new CompletableFuture<>();
    volatile String state = "pending";
    volatile boolean stopped;
    Duration backoff = minBackoff;
    ScheduledFuture<?> timer;

    Entry(SpiffeId id) {
      this.id = id;
    }

    /** The served certificate, or the next one when the served one has expired. */
    CompletableFuture<WorkloadCertificate> current() {
      CompletableFuture<WorkloadCertificate> f = served;
      WorkloadCertificate c = certificate;
      if (c != null && !c.notAfter().isAfter(clock.instant())) {
        synchronized (this) {
          if (served.isDone() && served.getNow(null) == c) {
            served = new CompletableFuture<>();
            LOG.error(
                "certificate for {} expired at {} and was not renewed ({}); its connections are"
                    + " refused until the CA issues a new one",
                id,
                c.notAfter(),
                state);
          }
          return served;
        }
      }
      return f;
    }

    synchronized void schedule(Duration delay) {
      if (stopped) {
        return;
      }
      timer =
          timers.schedule(
              () -> Thread.ofVirtual().name("cert-fetch").start(this::fetch),
              Math.max(0, delay.toMillis()),
              TimeUnit.MILLISECONDS);
    }

    void fetch() {
      if (stopped) {
        return;
      }
      try {
        WorkloadCertificate c = source.fetch(id);
        if (!c.id().equals(id)) {
          throw new IllegalStateException("CA issued " + c.id() + " instead of " + id);
        }
        CompletableFuture<WorkloadCertificate> waiting;
        synchronized (this) {
          certificate = c;
          state = "valid";
          backoff = minBackoff;
          waiting = served;
          served = CompletableFuture.completedFuture(c);
        }
        waiting.complete(c);
        Instant renewAt = c.renewAt();
        LOG.info("certificate for {} valid until {}, renewing at {}", id, c.notAfter(), renewAt);
        schedule(Duration.between(clock.instant(), renewAt));
      } catch (Exception e) {
        Duration wait;
        synchronized (this) {
          wait = backoff;
          backoff =
              backoff.multipliedBy(2).compareTo(maxBackoff) > 0
                  ? maxBackoff
                  : backoff.multipliedBy(2);
          state = (certificate == null ? "fetch failing: " : "renewal failing: ") + e.getMessage();
        }
        LOG.warn("certificate for {} failed, retrying in {}: {}", id, wait, e.toString());
        schedule(wait);
      }
    }

    synchronized void stop() {
      stopped = true;
      if (timer != null) {
        timer.cancel(false);
      }
      served.completeExceptionally(new IllegalStateException("no longer serving " + id));
    }
  }
}
