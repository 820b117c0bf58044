package dev.ambit.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs work that only one control-plane replica may do (writing status, reconciling waypoint
 * Deployments, publishing the root) while this replica holds a Lease ({@code
 * coordination.k8s.io/v1}), elected with fabric8's LeaderElector. The work is started when the
 * Lease is won and closed when it is lost; a replica that lost it stands again. Closing releases
 * the Lease, so another replica takes over without waiting for it to expire.
 */
public final class Leadership implements AutoCloseable {

  /** The Lease and its timing; {@code identity} names this replica (its pod name). */
  public record Election(
      String namespace,
      String lease,
      String identity,
      Duration leaseDuration,
      Duration renewDeadline,
      Duration retryPeriod) {

    public static Election of(String namespace, String identity) {
      return new Election(
          namespace,
          "ambit-control",
          identity,
          Duration.ofSeconds(15),
          Duration.ofSeconds(10),
          Duration.ofSeconds(2));
    }
  }

  private static final Logger log = LoggerFactory.getLogger(Leadership.class);

  private final KubernetesClient client;
  private final Election election;
  private final Supplier<AutoCloseable> work;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          Thread.ofPlatform().daemon().name("ambit-leader-work").factory());
  private volatile CompletableFuture<?> running;
  private volatile boolean closed;
  private volatile boolean leading;
  private AutoCloseable current;

  Leadership(KubernetesClient client, Election election, Supplier<AutoCloseable> work) {
    this.client = client;
    this.election = election;
    this.work = work;
  }

  Leadership start() {
    stand();
    return this;
  }

  /** Whether this replica holds the Lease now. */
  boolean leading() {
    return leading;
  }

  private synchronized void stand() {
    if (closed) {
      return;
    }
    running =
        client
            .leaderElector()
            .withConfig(
                new LeaderElectionConfigBuilder()
                    .withName("ambit-control")
                    .withLock(
                        new LeaseLock(election.namespace(), election.lease(), election.identity()))
                    .withLeaseDuration(election.leaseDuration())
                    .withRenewDeadline(election.renewDeadline())
                    .withRetryPeriod(election.retryPeriod())
                    .withReleaseOnCancel(true)
                    .withLeaderCallbacks(
                        new LeaderCallbacks(
                            this::startedLeading,
                            this::stoppedLeading,
                            leader -> log.info("control-plane leader: {}", leader)))
                    .build())
            .build()
            .start();
    running.whenComplete(
        (r, t) -> {
          if (!closed) {
            log.warn("leader election ended ({}); standing again", t == null ? "lost" : t);
            stand();
          }
        });
  }

  private void startedLeading() {
    leading = true;
    log.info("{} leads: writing status and reconciling waypoints", election.identity());
    submit(
        () -> {
          if (leading && current == null) {
            current = work.get();
          }
        });
  }

  private void stoppedLeading() {
    leading = false;
    log.info("{} no longer leads", election.identity());
    submit(this::stopWork);
  }

  private void submit(Runnable task) {
    try {
      worker.execute(task);
    } catch (RejectedExecutionException e) {
      // closing: close() stops the work itself
    }
  }

  private void stopWork() {
    if (current != null) {
      try {
        current.close();
      } catch (Exception e) {
        log.warn("error while stopping the leader's work: {}", e.getMessage());
      }
      current = null;
    }
  }

  @Override
  public void close() {
    closed = true;
    CompletableFuture<?> r = running;
    if (r != null) {
      r.cancel(true);
    }
    worker.execute(this::stopWork);
    worker.shutdown();
    try {
      worker.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
