package dev.ambit.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ambit.transport.netns.Netns;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Load and leaks through real ztunnel processes: connections from a client pod (node1) to a TCP
 * echo pod (node2) through the service VIP, captured in the pod, carried over HBONE between the two
 * ztunnels. 10,000 connections open at once, each echoing its own bytes; then a churn of 200,000
 * short connections ({@code -Dambit.soak.connections=N} to change), after which the ztunnels'
 * descriptors, threads and heap after a full GC are back at the baseline and no socket of the mesh
 * is left in CLOSE_WAIT. Needs root; runs with {@code -Preliability-slow}.
 */
@Tag("reliability-slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ZtunnelLoadSoakTest {

  private static final Logger LOG = LoggerFactory.getLogger(ZtunnelLoadSoakTest.class);

  static final int CONCURRENT = 10_000;
  static final int CHURN = Integer.getInteger("ambit.soak.connections", 200_000);
  static final int WORKERS = 32;

  /** Tolerances of "back to the baseline". */
  static final long FD_SLACK = 16;

  static final long THREAD_SLACK = 4;
  static final long HEAP_SLACK_KIB = 16 * 1024;

  private LoadMesh mesh;
  private final List<String> ztunnels = List.of("ztunnel-node1", "ztunnel-node2");

  @BeforeAll
  void up() throws Exception {
    mesh = LoadMesh.up();
    // The first connection waits for certificates and the HBONE pool; then the mesh is warm.
    try (Socket s = open()) {
      roundTrip(s, 1);
    }
  }

  @AfterAll
  void down() throws Exception {
    if (mesh != null) {
      mesh.close();
    }
  }

  @Test
  @Order(1)
  void tenThousandConcurrentConnectionsThroughOneZtunnel() throws Exception {
    long ztunnel1 = mesh.pid("ztunnel-node1");
    long fdsBefore = LoadProcessStats.fds(ztunnel1);
    List<Socket> open = Collections.synchronizedList(new ArrayList<>());
    Queue<String> errors = new ConcurrentLinkedQueue<>();
    long start = System.nanoTime();
    try {
      inParallel(
          CONCURRENT,
          i -> {
            try {
              Socket s = open();
              open.add(s);
              roundTrip(s, i);
            } catch (Exception e) {
              errors.add("connection " + i + ": " + e);
            }
          });
      assertThat(errors).as("errors while opening").isEmpty();
      assertThat(open).hasSize(CONCURRENT);
      long fdsHeld = LoadProcessStats.fds(ztunnel1);
      LOG.info(
          "{} connections open through ztunnel-node1 in {} ms; its descriptors {} -> {}",
          CONCURRENT,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
          fdsBefore,
          fdsHeld);
      assertThat(fdsHeld).as("ztunnel-node1 holds every connection").isGreaterThan(CONCURRENT);

      // All of them at once still carry bytes both ways.
      inParallel(
          CONCURRENT,
          i -> {
            try {
              roundTrip(open.get(i), CONCURRENT + i);
            } catch (Exception e) {
              errors.add("second round trip " + i + ": " + e);
            }
          });
      assertThat(errors).as("errors with every connection open").isEmpty();
    } finally {
      synchronized (open) {
        for (Socket s : open) {
          s.close();
        }
      }
    }
    // The HBONE pool grew to about one connection per 100 streams; idle ones close after 60 s.
    await()
        .atMost(Duration.ofMinutes(3))
        .untilAsserted(
            () ->
                assertThat(LoadProcessStats.fds(ztunnel1))
                    .as("ztunnel-node1 descriptors after closing")
                    .isLessThanOrEqualTo(fdsBefore + FD_SLACK));
  }

  @Test
  @Order(2)
  void churnSoakLeavesDescriptorsThreadsAndHeapAtTheBaseline() throws Exception {
    churn(5_000); // warm-up: pools, JIT, caches
    List<LoadProcessStats> baseline = stats();
    LOG.info("baseline {}: {}", ztunnels, baseline);

    long start = System.nanoTime();
    int errors = churn(CHURN);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    LOG.info("{} short connections in {} ms ({} per second)", CHURN, ms, CHURN * 1000L / ms);
    assertThat(errors).as("failed connections of " + CHURN).isZero();

    for (int z = 0; z < ztunnels.size(); z++) {
      long pid = mesh.pid(ztunnels.get(z));
      long fds = baseline.get(z).fds();
      await()
          .atMost(Duration.ofMinutes(1))
          .untilAsserted(
              () -> assertThat(LoadProcessStats.fds(pid)).isLessThanOrEqualTo(fds + FD_SLACK));
    }
    await()
        .atMost(Duration.ofMinutes(1))
        .untilAsserted(() -> assertThat(LoadProcessStats.closeWait(mesh)).isEmpty());
    List<LoadProcessStats> after = stats();
    LOG.info("after {} connections {}: {}", CHURN, ztunnels, after);
    for (int z = 0; z < ztunnels.size(); z++) {
      LoadProcessStats b = baseline.get(z);
      LoadProcessStats a = after.get(z);
      assertThat(a.fds()).as(ztunnels.get(z) + " fds").isLessThanOrEqualTo(b.fds() + FD_SLACK);
      assertThat(a.threads())
          .as(ztunnels.get(z) + " threads")
          .isLessThanOrEqualTo(b.threads() + THREAD_SLACK);
      assertThat(a.heapAfterGcKib())
          .as(ztunnels.get(z) + " heap after GC (KiB)")
          .isLessThanOrEqualTo(
              b.heapAfterGcKib() + Math.max(HEAP_SLACK_KIB, b.heapAfterGcKib() / 4));
    }
  }

  private List<LoadProcessStats> stats() throws Exception {
    List<LoadProcessStats> s = new ArrayList<>();
    for (String z : ztunnels) {
      s.add(LoadProcessStats.of(mesh, mesh.pid(z)));
    }
    return s;
  }

  /** {@code n} connections, each: connect, echo 8 bytes, close. Returns how many failed. */
  private int churn(int n) throws Exception {
    AtomicInteger failed = new AtomicInteger();
    Queue<String> first = new ConcurrentLinkedQueue<>();
    inParallel(
        n,
        i -> {
          try (Socket s = open()) {
            roundTrip(s, i);
          } catch (Exception e) {
            if (failed.incrementAndGet() <= 10) {
              first.add("connection " + i + ": " + e);
            }
          }
        });
    if (!first.isEmpty()) {
      LOG.warn("first failures: {}", first);
    }
    return failed.get();
  }

  /**
   * Runs {@code task(0..n-1)} on {@link #WORKERS} platform threads (netns switching needs them).
   */
  private static void inParallel(int n, IntConsumer task) throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
    try {
      for (int w = 0; w < WORKERS; w++) {
        pool.execute(
            () -> {
              for (int i; (i = next.getAndIncrement()) < n; ) {
                task.accept(i);
              }
            });
      }
    } finally {
      pool.shutdown();
      // A bound for a hung run, not a measurement.
      assertThat(pool.awaitTermination(30, TimeUnit.MINUTES)).isTrue();
    }
  }

  /** A connection from inside the client pod to the sink service, captured by its ztunnel. */
  private Socket open() throws Exception {
    SocketChannel ch = Netns.run(mesh.clientNetns(), SocketChannel::open);
    Socket s = ch.socket();
    try {
      s.connect(mesh.sink(), 10_000);
      s.setSoTimeout(60_000);
      return s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  /** Writes 8 bytes naming {@code i} and reads the same 8 bytes back. */
  private static void roundTrip(Socket s, long i) throws IOException {
    s.getOutputStream().write(ByteBuffer.allocate(8).putLong(i).array());
    byte[] back = new byte[8];
    InputStream in = s.getInputStream();
    for (int got = 0; got < 8; ) {
      int r = in.read(back, got, 8 - got);
      if (r < 0) {
        throw new IOException("closed after " + got + " echoed bytes");
      }
      got += r;
    }
    if (ByteBuffer.wrap(back).getLong() != i) {
      throw new IOException("echoed bytes of another connection");
    }
  }
}
