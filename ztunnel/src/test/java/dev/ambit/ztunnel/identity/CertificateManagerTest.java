package dev.ambit.ztunnel.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CertificateManagerTest {

  static final SpiffeId ID = new SpiffeId("cluster.local", "default", "curl");

  @Test
  void prefetchesOnRetainAndServesTheSameCertificate() throws Exception {
    TestCa ca = new TestCa("prefetch");
    try (CertificateManager m = new CertificateManager(ca)) {
      m.retain(ID);
      await().atMost(10, TimeUnit.SECONDS).until(() -> ca.issued.get() == 1);
      WorkloadCertificate a = m.get(ID).get(10, TimeUnit.SECONDS);
      WorkloadCertificate b = m.get(ID).get(10, TimeUnit.SECONDS);
      assertThat(a).isSameAs(b);
      assertThat(a.id()).isEqualTo(ID);
      assertThat(ca.issued.get()).isEqualTo(1);
      assertThat(m.status())
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.identity()).isEqualTo(ID.uri());
                assertThat(s.notAfter()).isEqualTo(a.notAfter());
                assertThat(s.state()).isEqualTo("valid");
              });
      m.release(ID);
      assertThat(m.status()).isEmpty();
    }
  }

  @Test
  void renewsAtHalfLifeAndServesTheOldOneUntilThen() throws Exception {
    TestCa ca = new TestCa("renew");
    ca.lifetime(Duration.ofSeconds(4));
    try (CertificateManager m = new CertificateManager(ca)) {
      m.retain(ID);
      WorkloadCertificate first = m.get(ID).get(10, TimeUnit.SECONDS);
      await().atMost(15, TimeUnit.SECONDS).until(() -> m.get(ID).getNow(null) != first);
      WorkloadCertificate second = m.get(ID).get();
      assertThat(second.notAfter()).isAfter(first.notAfter());
      assertThat(ca.issued.get()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void retriesWithBackoffAndReportsTheFailure() throws Exception {
    TestCa ca = new TestCa("backoff");
    AtomicInteger calls = new AtomicInteger();
    CertificateSource flaky =
        id -> {
          if (calls.incrementAndGet() <= 3) {
            throw new IllegalStateException("CA unavailable");
          }
          return ca.fetch(id);
        };
    try (CertificateManager m =
        new CertificateManager(
            flaky, Duration.ofMillis(20), Duration.ofMillis(200), Clock.systemUTC())) {
      var pending = m.get(ID);
      await().atMost(10, TimeUnit.SECONDS).until(() -> calls.get() >= 1);
      await()
          .atMost(10, TimeUnit.SECONDS)
          .until(
              () -> pending.isDone() || m.status().getFirst().state().startsWith("fetch failing"));
      WorkloadCertificate c = pending.get(10, TimeUnit.SECONDS);
      assertThat(c.id()).isEqualTo(ID);
      assertThat(calls.get()).isEqualTo(4);
      assertThat(m.status().getFirst().state()).isEqualTo("valid");
    }
  }

  @Test
  void failedRenewalsBackOffWhileTheOldCertificateIsStillServed() throws Exception {
    TestCa ca = new TestCa("renewal-backoff");
    ca.lifetime(Duration.ofSeconds(6));
    java.util.List<Long> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
    CertificateSource failingRenewals =
        id -> {
          calls.add(System.nanoTime());
          if (calls.size() >= 2 && calls.size() <= 4) {
            throw new IllegalStateException("CA unavailable");
          }
          return ca.fetch(id);
        };
    try (CertificateManager m =
        new CertificateManager(
            failingRenewals, Duration.ofMillis(100), Duration.ofSeconds(1), Clock.systemUTC())) {
      m.retain(ID);
      WorkloadCertificate first = m.get(ID).get(10, TimeUnit.SECONDS);
      await()
          .atMost(15, TimeUnit.SECONDS)
          .until(() -> m.status().getFirst().state().startsWith("renewal failing"));
      assertThat(m.get(ID).getNow(null))
          .as("the old certificate is served while its renewal fails")
          .isSameAs(first);
      await().atMost(15, TimeUnit.SECONDS).until(() -> m.get(ID).getNow(null) != first);
      assertThat(m.get(ID).get().notAfter()).isAfter(first.notAfter());
      assertThat(m.status().getFirst().state()).isEqualTo("valid");
      assertThat(calls).hasSize(5);
      for (int i = 2; i < 5; i++) {
        long backoffMillis = 100L << (i - 2);
        assertThat(Duration.ofNanos(calls.get(i) - calls.get(i - 1)))
            .as("retry %d waited at least its backoff", i)
            .isGreaterThanOrEqualTo(Duration.ofMillis(backoffMillis));
      }
    }
  }

  @Test
  void boundedWaitFailsWhileTheFetchGoesOn() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    TestCa ca = new TestCa("slow");
    try (CertificateManager m =
        new CertificateManager(
            id -> {
              release.await();
              return ca.fetch(id);
            })) {
      var bounded = m.get(ID, Duration.ofMillis(100));
      assertThatThrownBy(() -> bounded.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
      release.countDown();
      assertThat(m.get(ID, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS).id()).isEqualTo(ID);
    }
  }

  @Test
  void refusesACertificateForAnotherIdentity() throws Exception {
    TestCa ca = new TestCa("wrong");
    SpiffeId other = new SpiffeId("cluster.local", "default", "other");
    try (CertificateManager m =
        new CertificateManager(
            id -> ca.fetch(other),
            Duration.ofMillis(20),
            Duration.ofMillis(50),
            Clock.systemUTC())) {
      var pending = m.get(ID);
      await()
          .atMost(10, TimeUnit.SECONDS)
          .until(() -> m.status().getFirst().state().contains("CA issued " + other));
      assertThat(pending).isNotDone();
    }
  }
}
