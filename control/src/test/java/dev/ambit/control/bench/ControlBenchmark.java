package dev.ambit.control.bench;

import dev.ambit.api.IntOrString;
import dev.ambit.api.LabelSelector;
import dev.ambit.api.ObjectMeta;
import dev.ambit.api.Resource;
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
import dev.ambit.control.server.ControlFixture;
import dev.ambit.control.state.MeshState;
import dev.ambit.control.state.MeshStateBuilder;
import dev.ambit.proto.client.TypeUrls;
import dev.ambit.proto.client.XdsClient;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.workload.Address;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Control-plane scale benchmark (run by hand, not part of the test suite): 10,000 pods, 1,000
 * services and 1,000 policies in 100 namespaces. Prints the full state build time, the time and
 * bytes of one incremental change pushed to 10 connected xDS clients, and the heap after GC.
 *
 * <p>Run: {@code java -cp <test classpath> dev.ambit.control.bench.ControlBenchmark}
 */
public final class ControlBenchmark {

  public static void main(String[] args) throws Exception {
    int pods = 10_000;
    int services = 1_000;
    int policies = 1_000;
    int namespaces = 100;
    ConfigStore store = new ConfigStore();
    List<Resource<?>> objects = new ArrayList<>();
    for (int n = 0; n < namespaces; n++) {
      objects.add(
          Resource.of(
              ObjectMeta.of(null, "ns" + n)
                  .withLabels(Map.of("istio.io/dataplane-mode", "ambient")),
              new NamespaceSpec()));
    }
    for (int s = 0; s < services; s++) {
      String ns = "ns" + (s % namespaces);
      objects.add(
          Resource.of(
              ObjectMeta.of(ns, "svc" + s),
              new ServiceSpec(
                  null,
                  "10.96." + (s / 250) + "." + (s % 250 + 1),
                  Map.of("app", "app" + s),
                  List.of(new ServicePort("http", null, null, 8080, IntOrString.of(8080))))));
    }
    for (int p = 0; p < pods; p++) {
      int app = p % services;
      String ns = "ns" + (app % namespaces);
      objects.add(
          new Resource<>(
              null,
              ObjectMeta.of(ns, "pod" + p).withLabels(Map.of("app", "app" + app)),
              new PodSpec(
                  "sa" + app,
                  "node" + (p % 10),
                  List.of(new Container("c", "echo", List.of(), List.of(), List.of(), List.of()))),
              new PodStatus(
                  PodPhase.Running,
                  null,
                  "10." + (100 + p / 65536) + "." + ((p / 256) % 256) + "." + (p % 256)),
              null));
    }
    for (int a = 0; a < policies; a++) {
      String ns = "ns" + (a % namespaces);
      objects.add(Resource.of(ObjectMeta.of(ns, "policy" + a), policy(a, ns, "app" + a)));
    }
    store.apply(objects);
    MeshStateBuilder builder = new MeshStateBuilder("cluster.local");
    for (int i = 0; i < 3; i++) {
      builder.build(store.snapshot()).toXds(i, System.nanoTime());
    }
    for (int i = 0; i < 3; i++) {
      new MeshStateBuilder("cluster.local").build(store.snapshot());
    }
    long t0 = System.nanoTime();
    MeshState state = new MeshStateBuilder("cluster.local").build(store.snapshot());
    var snapshot = state.toXds(10, System.nanoTime());
    long buildNanos = System.nanoTime() - t0;
    builder.build(store.snapshot());
    System.out.printf(
        "full build (%d pods, %d services, %d policies): %.1f ms%n",
        pods, services, policies, buildNanos / 1e6);

    Path dir = Files.createTempDirectory("ambit-bench");
    try (ControlFixture control = new ControlFixture(dir, (n, id) -> null)) {
      control.publisher.publish(snapshot);
      int clients = 10;
      List<XdsClient> xds = new ArrayList<>();
      AtomicReference<CountDownLatch> changed = new AtomicReference<>(new CountDownLatch(clients));
      long[] received = new long[clients];
      for (int c = 0; c < clients; c++) {
        int idx = c;
        XdsClient client =
            XdsClient.builder(control.target(), control.node("node" + c))
                .subscribe(TypeUrls.ADDRESS, Address.class, (up, rm) -> {})
                .subscribe(
                    TypeUrls.AUTHORIZATION,
                    Authorization.class,
                    (up, rm) -> {
                      received[idx] = System.nanoTime();
                      changed.get().countDown();
                    })
                .build();
        client.start();
        client.awaitSynced(Duration.ofSeconds(60));
        xds.add(client);
      }
      long[] latencies = new long[20];
      for (int round = 0; round < latencies.length; round++) {
        changed.set(new CountDownLatch(clients));
        String ns = "ns" + (round % namespaces);
        long start = System.nanoTime();
        store.apply(
            List.of(
                Resource.of(
                    ObjectMeta.of(ns, "policy" + round),
                    policy(round + 1, ns, "changed" + round))));
        long applied = System.nanoTime();
        MeshState next = builder.build(store.snapshot());
        long built = System.nanoTime();
        control.publisher.publish(next.toXds(11 + round, start));
        long published = System.nanoTime();
        changed.get().await();
        if (round % 5 == 4) {
          System.out.printf(
              "  round %d: apply %.1f ms, build %.1f ms, publish %.1f ms, last client %.1f ms%n",
              round,
              (applied - start) / 1e6,
              (built - applied) / 1e6,
              (published - built) / 1e6,
              (Arrays.stream(received).max().orElse(0) - published) / 1e6);
        }
        latencies[round] = Arrays.stream(received).max().orElse(0) - start;
      }
      Arrays.sort(latencies);
      String metrics = control.metrics.render();
      System.out.printf(
          "incremental change to %d clients (build + diff + push): median %.1f ms, max %.1f ms%n",
          clients, latencies[latencies.length / 2] / 1e6, latencies[latencies.length - 1] / 1e6);
      metrics
          .lines()
          .filter(l -> l.startsWith("pilot_xds_push_bytes "))
          .forEach(
              l ->
                  System.out.println(
                      "total bytes pushed (initial sync + changes): " + l.split(" ")[1]));
      xds.forEach(XdsClient::close);
    }
    System.gc();
    Thread.sleep(200);
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    System.out.printf(
        "heap after GC (store + state + xDS snapshot): %d MB%n", heap / (1024 * 1024));
    System.out.println(state.workloads().size() + " workloads in state");
  }

  private static AuthorizationPolicySpec policy(int a, String ns, String app) {
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
                            List.of("cluster.local/ns/" + ns + "/sa/sa" + a),
                            List.of(),
                            List.of(),
                            List.of(),
                            List.of(),
                            List.of()))),
                List.of(),
                List.of())));
  }
}
