package dev.ambit.bench.kube;

import dev.ambit.control.ControlPlane;
import dev.ambit.kube.KubeControlPlane;
import dev.ambit.proto.client.ControlPlaneCredentials;
import dev.ambit.proto.client.TypeUrls;
import dev.ambit.proto.client.XdsClient;
import dev.ambit.proto.workload.Address;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes mode at scale: N pods (default 10,000) on 50 nodes behind N/100 Services in an
 * in-process fabric8 mock API server (CRUD mode). Each run starts a fresh control plane in
 * Kubernetes mode (informers list everything, the store and mesh state are built) and an xDS client
 * that waits for every workload and service. Measured per run:
 *
 * <ul>
 *   <li>{@code time_to_first_full_push_s}: from starting the control plane until the xDS client
 *       holds all N workloads and all services;
 *   <li>{@code heap_retained_mib}: heap in use after a full GC with the control plane running,
 *       minus the same before it started (the mock server's own copy of the objects is in both).
 * </ul>
 *
 * <p>Each run is a fresh JVM with its own mock server. Usage: {@code java -cp <bench classpath>
 * dev.ambit.bench.kube.KubeScaleBenchmark [pods] [runs] [output.json]}; see docs/kubernetes.md.
 */
public final class KubeScaleBenchmark {

  private static final Logger log = LoggerFactory.getLogger(KubeScaleBenchmark.class);
  private static final int NODES = 50;
  private static final int HEAP_MIB = 2048;

  private KubeScaleBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("--one")) {
      one(Integer.parseInt(args[1]), Path.of(args[2]));
      return;
    }
    int pods = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path out = Path.of(args.length > 2 ? args[2] : "bench/results/kube-scale.json");
    List<Double> seconds = new ArrayList<>();
    List<Double> heap = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      double[] r = inFreshJvm(pods);
      seconds.add(r[0]);
      heap.add(r[1]);
      log.info("run {}: first full push after {} s, heap retained {} MiB", i + 1, r[0], r[1]);
    }
    Files.writeString(out, json(pods, Math.max(1, pods / 100), seconds, heap));
    log.info("wrote {}", out);
  }

  /**
   * One run in a new JVM (same classpath, 2 GiB heap), so no run inherits another's heap or JIT.
   */
  private static double[] inFreshJvm(int pods) throws Exception {
    Path result = Files.createTempFile("kube-scale", ".txt");
    try {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx" + HEAP_MIB + "m");
      for (String property :
          List.of("logback.configurationFile", "java.util.logging.config.file")) {
        String value = System.getProperty(property);
        if (value != null) {
          command.add("-D" + property + "=" + value);
        }
      }
      command.addAll(
          List.of(
              "-cp",
              System.getProperty("java.class.path"),
              KubeScaleBenchmark.class.getName(),
              "--one",
              Integer.toString(pods),
              result.toString()));
      Process child = new ProcessBuilder(command).inheritIO().start();
      if (child.waitFor() != 0) {
        throw new IllegalStateException("benchmark run failed with exit code " + child.exitValue());
      }
      String[] figures = Files.readString(result).trim().split(" ");
      return new double[] {Double.parseDouble(figures[0]), Double.parseDouble(figures[1])};
    } finally {
      Files.deleteIfExists(result);
    }
  }

  /** One run: populate a mock API server, measure, write "seconds heapMiB" to {@code result}. */
  private static void one(int pods, Path result) throws Exception {
    int services = Math.max(1, pods / 100);
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesMixedDispatcher(new HashMap<>()),
            false);
    server.init();
    try (KubernetesClient client = server.createClient()) {
      long populate = System.nanoTime();
      populate(client, pods, services);
      log.info(
          "populated {} pods, {} services in {} s",
          pods,
          services,
          (System.nanoTime() - populate) / 1e9);
      double[] r = run(client, pods + services);
      Files.writeString(result, r[0] + " " + r[1]);
    } finally {
      server.destroy();
    }
  }

  private static void populate(KubernetesClient client, int pods, int services)
      throws InterruptedException {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("bench")
                .withLabels(Map.of("istio.io/dataplane-mode", "ambient"))
                .endMetadata()
                .build())
        .create();
    for (int n = 0; n < NODES; n++) {
      client
          .nodes()
          .resource(new NodeBuilder().withNewMetadata().withName("node-" + n).endMetadata().build())
          .create();
    }
    for (int s = 0; s < services; s++) {
      client
          .services()
          .inNamespace("bench")
          .resource(
              new ServiceBuilder()
                  .withNewMetadata()
                  .withName("svc-" + s)
                  .withNamespace("bench")
                  .endMetadata()
                  .withNewSpec()
                  .withClusterIP("10.96." + (s / 250) + "." + (s % 250 + 1))
                  .withSelector(Map.of("app", "svc-" + s))
                  .addNewPort()
                  .withName("http")
                  .withPort(80)
                  .withNewTargetPort(8080)
                  .endPort()
                  .endSpec()
                  .build())
          .create();
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch done = new CountDownLatch(pods);
    for (int p = 0; p < pods; p++) {
      int i = p;
      pool.execute(
          () -> {
            try {
              createPod(client, i, services);
            } finally {
              done.countDown();
            }
          });
    }
    done.await();
    pool.shutdown();
  }

  private static void createPod(KubernetesClient client, int i, int services) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("pod-" + i)
            .withNamespace("bench")
            .withLabels(Map.of("app", "svc-" + (i % services)))
            .endMetadata()
            .withNewSpec()
            .withServiceAccountName("sa-" + (i % services))
            .withNodeName("node-" + (i % NODES))
            .addNewContainer()
            .withName("app")
            .withImage("registry.example/app:1")
            .addNewPort()
            .withContainerPort(8080)
            .endPort()
            .endContainer()
            .endSpec()
            .withStatus(
                new PodStatusBuilder()
                    .withPhase("Running")
                    .withPodIP("10." + (1 + i / 65536) + "." + (i / 256 % 256) + "." + (i % 256))
                    .withHostIP("192.168.0." + (i % NODES + 1))
                    .build())
            .build();
    Pod created = client.pods().inNamespace("bench").resource(pod).create();
    if (created.getStatus() == null || created.getStatus().getPodIP() == null) {
      created.setStatus(pod.getStatus());
      client.pods().inNamespace("bench").resource(created).updateStatus();
    }
  }

  /** One run: {seconds to the first full push, retained heap MiB}. */
  private static double[] run(KubernetesClient client, int expected) throws Exception {
    Path home = Files.createTempDirectory("ambit-kube-bench");
    try {
      double before = heapAfterGc();
      long start = System.nanoTime();
      ControlPlane.Options control =
          new ControlPlane.Options(
              home,
              new java.net.InetSocketAddress("127.0.0.1", 0),
              new java.net.InetSocketAddress("127.0.0.1", 0),
              "cluster.local",
              null,
              Duration.ofHours(24),
              Duration.ofMillis(100));
      try (KubeControlPlane kube =
          KubeControlPlane.start(client, KubeControlPlane.Options.defaults(control))) {
        Path creds = home.resolve("node-0");
        kube.controlPlane().ca().issueNodeCredential("node-0", Duration.ofHours(1)).writeTo(creds);
        CountDownLatch full = new CountDownLatch(1);
        Map<String, Boolean> seen = new java.util.concurrent.ConcurrentHashMap<>();
        try (XdsClient xds =
            XdsClient.builder(
                    "127.0.0.1:" + kube.controlPlane().xdsPort(),
                    ControlPlaneCredentials.fromDirectory(creds))
                .nodeId("ztunnel~node-0")
                .subscribe(
                    TypeUrls.ADDRESS,
                    Address.class,
                    (upserts, removals) -> {
                      upserts.keySet().forEach(k -> seen.put(k, true));
                      if (seen.size() >= expected) {
                        full.countDown();
                      }
                    })
                .build()) {
          xds.start();
          if (!full.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("no full push: saw " + seen.size() + " of " + expected);
          }
          double seconds = (System.nanoTime() - start) / 1e9;
          double retained = heapAfterGc() - before;
          return new double[] {round(seconds), round(retained)};
        }
      }
    } finally {
      try (Stream<Path> walk = Files.walk(home)) {
        walk.sorted(Comparator.reverseOrder()).forEach(KubeScaleBenchmark::deleteQuietly);
      }
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", p, e.getMessage());
    }
  }

  private static double heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static String json(int pods, int services, List<Double> seconds, List<Double> heap)
      throws IOException {
    String kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
    String cpu =
        Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
            .filter(l -> l.startsWith("model name"))
            .map(l -> l.substring(l.indexOf(':') + 1).trim())
            .findFirst()
            .orElse("unknown");
    double[] load = loadAverage();
    return String.format(
        Locale.ROOT,
        """
        {
          "scenario": "kube-scale",
          "date": "%s",
          "machine": {
            "cpus": %d,
            "cpu_model": "%s",
            "kernel": "%s",
            "load_average_at_end": [%.2f, %.2f, %.2f],
            "shared": true
          },
          "settings": "pods=%d services=%d nodes=%d runs=%d (one fresh JVM each) api=fabric8 mock server (CRUD, in the same JVM) resync=10m debounce=100ms heap_max_mib=%d",
          "figures": {
            "time_to_first_full_push_s": %s,
            "heap_retained_mib": %s
          }
        }
        """,
        OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS),
        Runtime.getRuntime().availableProcessors(),
        cpu.replace("\"", ""),
        kernel,
        load[0],
        load[1],
        load[2],
        pods,
        services,
        NODES,
        seconds.size(),
        HEAP_MIB,
        stats(seconds, "s"),
        stats(heap, "MiB"));
  }

  private static double[] loadAverage() throws IOException {
    String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
    return new double[] {
      Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Double.parseDouble(parts[2])
    };
  }

  private static String stats(List<Double> values, String unit) {
    List<Double> sorted = values.stream().sorted().toList();
    double median =
        sorted.size() % 2 == 1
            ? sorted.get(sorted.size() / 2)
            : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
    return String.format(
        Locale.ROOT,
        "{\"median\": %.3f, \"min\": %.3f, \"max\": %.3f, \"runs\": %d, \"values\": %s,"
            + " \"unit\": \"%s\", \"better\": \"lower\"}",
        median,
        sorted.getFirst(),
        sorted.getLast(),
        values.size(),
        values,
        unit);
  }
}
