package dev.ambit.bench.control;

import dev.ambit.api.IntOrString;
import dev.ambit.api.Kind;
import dev.ambit.api.LabelSelector;
import dev.ambit.api.ObjectMeta;
import dev.ambit.api.Resource;
import dev.ambit.api.ResourceKey;
import dev.ambit.api.core.Container;
import dev.ambit.api.core.NamespaceSpec;
import dev.ambit.api.core.PodPhase;
import dev.ambit.api.core.PodSpec;
import dev.ambit.api.core.PodStatus;
import dev.ambit.api.core.ServicePort;
import dev.ambit.api.core.ServiceSpec;
import dev.ambit.api.security.AuthorizationAction;
import dev.ambit.api.security.AuthorizationPolicySpec;
import dev.ambit.api.security.AuthorizationRule;
import dev.ambit.api.security.From;
import dev.ambit.api.security.Source;
import dev.ambit.api.store.ConfigStore;
import dev.ambit.control.ControlPlane;
import dev.ambit.control.state.MeshStateBuilder;
import dev.ambit.proto.client.ControlPlaneCredentials;
import dev.ambit.proto.client.TypeUrls;
import dev.ambit.proto.client.XdsClient;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.workload.Address;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Control-plane scale benchmark: 10,000 pods, 1,000 services and 1,000 selector policies in 100
 * ambient namespaces. Per run it measures
 *
 * <ul>
 *   <li>the time to build the whole mesh state from scratch (state and xDS resources);
 *   <li>through a real control plane (store, reconcilers, incremental state, delta ADS over TLS)
 *       with 10 connected xDS clients subscribed to every Address and Authorization: the time from
 *       a config change to the moment the last client has received it, for a policy change and a
 *       pod change (p50 and p99 over the rounds), and the xDS bytes sent per change to all clients
 *       (counted from one change to the next);
 *   <li>the heap in use after a full GC with the control plane holding that mesh.
 * </ul>
 *
 * The control plane runs with the debounce quiet period set to 0 (default 100 ms): the figures are
 * the work a change causes, not the deliberate wait for further changes.
 *
 * <p>Run with {@code bench/control-scale} (logs: {@code control-scale-logback.xml}, warnings only
 * from the control plane) (writes {@code bench/results/control-scale.json}). Arguments: {@code
 * --runs N} (3), {@code --rounds N} (100 changes per run, alternating policy and pod), {@code --out
 * FILE}.
 */
public final class ControlScaleBenchmark {

  private static final Logger log = LoggerFactory.getLogger(ControlScaleBenchmark.class);

  private static final int PODS = 10_000;
  private static final int SERVICES = 1_000;
  private static final int POLICIES = 1_000;
  private static final int NAMESPACES = 100;
  private static final int CLIENTS = 10;

  /** One run's figures, by name. */
  private record Figures(Map<String, Double> values) {}

  public static void main(String[] args) throws Exception {
    int runs = 3;
    int rounds = 100;
    Path out = Path.of("bench", "results", "control-scale.json");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    List<Figures> all = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      Figures f = runOnce(rounds);
      log.info("run {}: {}", run, f.values());
      all.add(f);
    }
    String json = json(all, runs, rounds);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, json);
    log.info("results written to {}:\n{}", out, json);
  }

  private static Figures runOnce(int rounds) throws Exception {
    Map<String, Double> f = new LinkedHashMap<>();
    List<Resource<?>> objects = mesh();

    ConfigStore scratch = new ConfigStore();
    scratch.apply(objects);
    new MeshStateBuilder("cluster.local").build(scratch.snapshot()).toXds(1, System.nanoTime());
    long t0 = System.nanoTime();
    new MeshStateBuilder("cluster.local").build(scratch.snapshot()).toXds(1, System.nanoTime());
    f.put("full_build_ms", (System.nanoTime() - t0) / 1e6);
    scratch = null;

    Path home = Files.createTempDirectory("ambit-control-scale");
    List<XdsClient> clients = new ArrayList<>();
    try (ControlPlane cp =
        ControlPlane.start(
            new ControlPlane.Options(
                home,
                new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", 0),
                "cluster.local",
                null,
                Duration.ofHours(24),
                Duration.ZERO))) {
      CountDownLatch computed = new CountDownLatch(1);
      try (AutoCloseable listener =
          cp.onState(
              s -> {
                if (s.workloads().size() == PODS) {
                  computed.countDown();
                }
              })) {
        cp.store().apply(objects);
        if (!computed.await(120, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the control plane did not compute the mesh in 120 s");
        }
      }
      Expected expected = new Expected();
      for (int c = 0; c < CLIENTS; c++) {
        clients.add(client(cp, home, c, expected));
      }
      double[] policy = new double[rounds / 2];
      double[] pod = new double[rounds - rounds / 2];
      double[] bytes = new double[rounds - 1];
      long before = pushBytes(cp);
      for (int round = 0; round < rounds; round++) {
        if (round > 0) {
          long now = pushBytes(cp);
          bytes[round - 1] = now - before;
          before = now;
        }
        double ms =
            round % 2 == 0 ? changePolicy(cp, expected, round) : changePod(cp, expected, round);
        if (round % 2 == 0) {
          policy[round / 2] = ms;
        } else {
          pod[round / 2] = ms;
        }
      }
      f.put("policy_change_p50_ms", percentile(policy, 50));
      f.put("policy_change_p99_ms", percentile(policy, 99));
      f.put("pod_change_p50_ms", percentile(pod, 50));
      f.put("pod_change_p99_ms", percentile(pod, 99));
      f.put("bytes_per_change", percentile(bytes, 50));
      clients.forEach(XdsClient::close);
      clients.clear();
      System.gc();
      System.gc();
      f.put(
          "heap_after_gc_mib",
          ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024));
    } finally {
      clients.forEach(XdsClient::close);
      deleteTree(home);
    }
    return new Figures(f);
  }

  /** What the current round waits for: a resource name and a latch counted down per client. */
  private static final class Expected {
    volatile String name = "";
    volatile CountDownLatch latch = new CountDownLatch(0);
    final AtomicLongArray received = new AtomicLongArray(CLIENTS);

    void arm(String resource) {
      latch = new CountDownLatch(CLIENTS);
      name = resource;
    }

    void seen(int client, Map<String, ?> upserts) {
      if (upserts.containsKey(name)) {
        received.set(client, System.nanoTime());
        latch.countDown();
      }
    }

    /** Milliseconds from {@code start} until the last client received the resource. */
    double await(long start) throws InterruptedException {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(name + " did not reach every client within 30 s");
      }
      long last = 0;
      for (int i = 0; i < CLIENTS; i++) {
        last = Math.max(last, received.get(i));
      }
      name = "";
      return (last - start) / 1e6;
    }
  }

  private static XdsClient client(ControlPlane cp, Path home, int c, Expected expected)
      throws InterruptedException {
    Path creds = home.resolve("node" + c + "-creds");
    cp.ca().issueNodeCredential("node" + c, Duration.ofHours(1)).writeTo(creds);
    XdsClient client =
        XdsClient.builder("127.0.0.1:" + cp.xdsPort(), ControlPlaneCredentials.fromDirectory(creds))
            .nodeId("bench~node" + c)
            .subscribe(TypeUrls.ADDRESS, Address.class, (up, rm) -> expected.seen(c, up))
            .subscribe(
                TypeUrls.AUTHORIZATION, Authorization.class, (up, rm) -> expected.seen(c, up))
            .build();
    client.start();
    if (!client.awaitSynced(Duration.ofSeconds(120))) {
      throw new IllegalStateException("xDS client " + c + " did not sync within 120 s");
    }
    return client;
  }

  private static double changePolicy(ControlPlane cp, Expected expected, int round)
      throws Exception {
    int p = (round * 7) % POLICIES;
    String ns = "ns" + (p % NAMESPACES);
    expected.arm(ns + "/policy" + p);
    long start = System.nanoTime();
    cp.store()
        .apply(
            List.of(
                Resource.of(
                    ObjectMeta.of(ns, "policy" + p), policy(ns, "app" + p, "round" + round))));
    return expected.await(start);
  }

  private static double changePod(ControlPlane cp, Expected expected, int round) throws Exception {
    int p = (round * 13) % PODS;
    String ns = "ns" + ((p % SERVICES) % NAMESPACES);
    expected.arm(MeshStateBuilder.uid(ns, "pod" + p));
    long start = System.nanoTime();
    cp.store()
        .updateStatus(
            new ResourceKey(Kind.POD, ns, "pod" + p),
            new PodStatus(PodPhase.Running, null, "10.200." + (round / 250) + "." + (round % 250)));
    return expected.await(start);
  }

  private static long pushBytes(ControlPlane cp) {
    return cp.metrics()
        .render()
        .lines()
        .filter(l -> l.startsWith("pilot_xds_push_bytes "))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1)))
        .sum();
  }

  private static double percentile(double[] values, int p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static List<Resource<?>> mesh() {
    List<Resource<?>> objects = new ArrayList<>();
    for (int n = 0; n < NAMESPACES; n++) {
      objects.add(
          Resource.of(
              ObjectMeta.of(null, "ns" + n)
                  .withLabels(Map.of("istio.io/dataplane-mode", "ambient")),
              new NamespaceSpec()));
    }
    for (int s = 0; s < SERVICES; s++) {
      String ns = "ns" + (s % NAMESPACES);
      objects.add(
          Resource.of(
              ObjectMeta.of(ns, "svc" + s),
              new ServiceSpec(
                  null,
                  "10.96." + (s / 250) + "." + (s % 250 + 1),
                  Map.of("app", "app" + s),
                  List.of(new ServicePort("http", null, null, 8080, IntOrString.of(8080))))));
    }
    for (int p = 0; p < PODS; p++) {
      int app = p % SERVICES;
      String ns = "ns" + (app % NAMESPACES);
      objects.add(
          new Resource<>(
              null,
              ObjectMeta.of(ns, "pod" + p).withLabels(Map.of("app", "app" + app)),
              new PodSpec(
                  "sa" + app,
                  "node" + (p % CLIENTS),
                  List.of(new Container("c", "echo", List.of(), List.of(), List.of(), List.of()))),
              new PodStatus(
                  PodPhase.Running,
                  null,
                  "10." + (100 + p / 65536) + "." + ((p / 256) % 256) + "." + (p % 256)),
              null));
    }
    for (int a = 0; a < POLICIES; a++) {
      String ns = "ns" + (a % NAMESPACES);
      objects.add(Resource.of(ObjectMeta.of(ns, "policy" + a), policy(ns, "app" + a, "sa" + a)));
    }
    return objects;
  }

  private static AuthorizationPolicySpec policy(String ns, String app, String sa) {
    return new AuthorizationPolicySpec(
        new LabelSelector(Map.of("app", app)),
        null,
        List.of(),
        AuthorizationAction.ALLOW,
        List.of(
            new AuthorizationRule(
                List.of(
                    new From(
                        new Source(
                            List.of("cluster.local/ns/" + ns + "/sa/" + sa),
                            List.of(),
                            List.of(),
                            List.of(),
                            List.of(),
                            List.of()))),
                List.of(),
                List.of())));
  }

  private static String json(List<Figures> runs, int count, int rounds) throws IOException {
    Map<String, String> units =
        Map.of(
            "full_build_ms", "ms",
            "policy_change_p50_ms", "ms",
            "policy_change_p99_ms", "ms",
            "pod_change_p50_ms", "ms",
            "pod_change_p99_ms", "ms",
            "bytes_per_change", "bytes",
            "heap_after_gc_mib", "MiB");
    StringBuilder figures = new StringBuilder();
    for (String name : runs.getFirst().values().keySet()) {
      double[] v = runs.stream().mapToDouble(r -> r.values().get(name)).sorted().toArray();
      if (!figures.isEmpty()) {
        figures.append(",\n");
      }
      figures.append(
          String.format(
              Locale.ROOT,
              "      \"%s\": {\n        \"median\": %.3f,\n        \"min\": %.3f,\n"
                  + "        \"max\": %.3f,\n        \"runs\": %d,\n        \"unit\": \"%s\",\n"
                  + "        \"better\": \"lower\"\n      }",
              name,
              v[v.length / 2],
              v[0],
              v[v.length - 1],
              v.length,
              units.getOrDefault(name, "")));
    }
    double[] load = loadAverage();
    return String.format(
        Locale.ROOT,
        """
        {
          "scenario": "control-scale",
          "date": "%s",
          "machine": {
            "cpus": %d,
            "cpu_model": "%s",
            "kernel": "%s",
            "load_average_at_end": [
              %.2f,
              %.2f,
              %.2f
            ],
            "shared": true
          },
          "settings": "runs=%d rounds=%d pods=%d services=%d policies=%d namespaces=%d xds_clients=%d debounce=0ms",
          "contenders": {
            "ambit": {
        %s
            }
          }
        }
        """,
        OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS),
        Runtime.getRuntime().availableProcessors(),
        cpuModel().replace("\"", ""),
        System.getProperty("os.version"),
        load[0],
        load[1],
        load[2],
        count,
        rounds,
        PODS,
        SERVICES,
        POLICIES,
        NAMESPACES,
        CLIENTS,
        figures);
  }

  private static String cpuModel() throws IOException {
    Path info = Path.of("/proc/cpuinfo");
    if (!Files.exists(info)) {
      return "";
    }
    try (Stream<String> lines = Files.lines(info)) {
      return lines
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip())
          .findFirst()
          .orElse("");
    }
  }

  private static double[] loadAverage() throws IOException {
    Path avg = Path.of("/proc/loadavg");
    if (!Files.exists(avg)) {
      return new double[3];
    }
    String[] parts = Files.readString(avg).strip().split("\\s+");
    return new double[] {
      Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Double.parseDouble(parts[2])
    };
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
