package dev.ambit.api.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.ambit.api.ConfigError;
import dev.ambit.api.ConfigException;
import dev.ambit.api.ConfigReader;
import dev.ambit.api.Kind;
import dev.ambit.api.ObjectMeta;
import dev.ambit.api.Resource;
import dev.ambit.api.ResourceKey;
import dev.ambit.api.core.PodPhase;
import dev.ambit.api.core.PodSpec;
import dev.ambit.api.core.PodStatus;
import dev.ambit.api.core.ServiceSpec;
import dev.ambit.api.security.AuthorizationPolicySpec;
import dev.ambit.api.security.AuthorizationRule;
import dev.ambit.api.security.Operation;
import dev.ambit.api.security.To;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ConfigStoreTest {

  private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
  private final ConfigStore store = new ConfigStore(Clock.fixed(NOW, ZoneOffset.UTC));

  private static List<Resource<?>> yaml(String text) throws ConfigException {
    return ConfigReader.read("test.yaml", text);
  }

  private static final String POLICY =
      """
      apiVersion: security.istio.io/v1beta1
      kind: AuthorizationPolicy
      metadata:
        name: deny-get
        namespace: foo
      spec:
        action: DENY
        rules:
        - to:
          - operation:
              methods: ["GET"]
      """;

  private static final String SERVICE =
      """
      apiVersion: v1
      kind: Service
      metadata:
        name: web
        namespace: foo
      spec:
        ports:
        - port: 80
      """;

  private static final String POD =
      """
      apiVersion: v1
      kind: Pod
      metadata:
        name: web-1
        namespace: foo
      spec:
        containers:
        - name: web
      """;

  @Test
  void applyCreatesInStorageVersionWithSystemFields() throws Exception {
    List<ApplyResult> results = store.apply(yaml(POLICY));

    assertThat(results)
        .extracting(ApplyResult::toString)
        .containsExactly("authorizationpolicy.security.istio.io/deny-get created");
    Resource<?> stored = store.get(results.getFirst().object().key()).orElseThrow();
    assertThat(stored.apiVersion()).isEqualTo("security.istio.io/v1");
    assertThat(stored.metadata().resourceVersion()).isEqualTo("1");
    assertThat(stored.metadata().generation()).isEqualTo(1L);
    assertThat(stored.metadata().uid()).hasSize(36);
    assertThat(stored.metadata().creationTimestamp()).isEqualTo(NOW);
    assertThat(stored.source().toString()).isEqualTo("test.yaml:1");
  }

  @Test
  void reapplyIsUnchangedAndChangesBumpVersionAndGeneration() throws Exception {
    store.apply(yaml(POLICY));
    String uid = store.list(Kind.AUTHORIZATION_POLICY, "foo").getFirst().metadata().uid();

    assertThat(store.apply(yaml(POLICY)))
        .extracting(r -> r.outcome())
        .containsExactly(ApplyResult.Outcome.UNCHANGED);
    assertThat(store.snapshot().resourceVersion()).isEqualTo(1);

    Resource<?> relabelled =
        store
            .apply(yaml(POLICY.replace("  namespace: foo", "  namespace: foo\n  labels: {a: b}")))
            .getFirst()
            .object();
    assertThat(relabelled.metadata().resourceVersion()).isEqualTo("2");
    assertThat(relabelled.metadata().generation()).isEqualTo(1L);

    List<ApplyResult> changed = store.apply(yaml(POLICY.replace("\"GET\"", "\"POST\"")));
    Resource<?> now = changed.getFirst().object();
    assertThat(changed.getFirst().outcome()).isEqualTo(ApplyResult.Outcome.CONFIGURED);
    assertThat(now.metadata().resourceVersion()).isEqualTo("3");
    assertThat(now.metadata().generation()).isEqualTo(2L);
    assertThat(now.metadata().uid()).isEqualTo(uid);
    assertThat(now.metadata().labels()).isEmpty();
    assertThat(
            ((AuthorizationPolicySpec) now.spec())
                .rules()
                .getFirst()
                .to()
                .getFirst()
                .operation()
                .methods())
        .containsExactly("POST");
  }

  @Test
  void anInvalidObjectRejectsTheWholeBatch() throws Exception {
    Resource<AuthorizationPolicySpec> bad =
        Resource.of(
            ObjectMeta.of("foo", "bad"),
            new AuthorizationPolicySpec(
                null,
                null,
                null,
                null,
                List.of(
                    new AuthorizationRule(
                        null,
                        List.of(
                            new To(
                                new Operation(
                                    null, null, null, null, List.of("GTE"), null, null, null))),
                        null))));
    List<Resource<?>> batch = new ArrayList<>(yaml(SERVICE + "---\n" + POD));
    batch.add(bad);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> store.apply(batch));

    assertThat(e.errors())
        .extracting(ConfigError::toString)
        .containsExactly(
            "<api>:0: spec.rules[0].to[0].operation.methods[0]: \"GTE\" is not an HTTP method");
    assertThat(store.snapshot().size()).isZero();
    assertThat(store.snapshot().resourceVersion()).isZero();
  }

  @Test
  void duplicatesAndStaleResourceVersionsAreRejected() throws Exception {
    List<Resource<?>> twice = new ArrayList<>(yaml(SERVICE));
    twice.addAll(yaml(SERVICE));
    ConfigException dup = catchThrowableOfType(ConfigException.class, () -> store.apply(twice));
    assertThat(dup.errors())
        .extracting(ConfigError::toString)
        .containsExactly(
            "test.yaml:1: metadata.name: duplicate Service foo/web (first defined at test.yaml:1)");

    store.apply(yaml(SERVICE));
    store.apply(yaml(SERVICE.replace("port: 80", "port: 81")));
    ConfigException stale =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                store.apply(
                    yaml(
                        SERVICE.replace(
                            "namespace: foo", "namespace: foo\n  resourceVersion: \"1\""))));
    assertThat(stale.errors())
        .extracting(ConfigError::toString)
        .containsExactly(
            "test.yaml:1: metadata.resourceVersion: conflict: Service foo/web is at 2, not 1");
  }

  @Test
  void deleteAndListByNamespace() throws Exception {
    store.apply(
        yaml(
            SERVICE
                + "---\n"
                + SERVICE.replace("name: web", "name: api")
                + "---\n"
                + SERVICE.replace("namespace: foo", "namespace: bar")));

    assertThat(store.list(Kind.SERVICE, "foo"))
        .extracting(Resource::name)
        .containsExactly("api", "web");
    assertThat(store.list(Kind.SERVICE, null))
        .extracting(r -> r.namespace() + "/" + r.name())
        .containsExactly("bar/web", "foo/api", "foo/web");
    assertThat(store.list(ServiceSpec.class, "bar"))
        .singleElement()
        .satisfies(r -> assertThat(r.spec().ports().getFirst().port()).isEqualTo(80));

    ResourceKey web = new ResourceKey(Kind.SERVICE, "foo", "web");
    assertThat(store.delete(web))
        .hasValueSatisfying(r -> assertThat(r.toString()).isEqualTo("service/web deleted"));
    assertThat(store.get(web)).isEmpty();
    assertThat(store.delete(web)).isEmpty();
    assertThat(store.snapshot().resourceVersion()).isEqualTo(4);
  }

  @Test
  void podStatusIsSetThroughTheStoreAndSurvivesReapply() throws Exception {
    store.apply(yaml(POD));
    ResourceKey key = new ResourceKey(Kind.POD, "foo", "web-1");

    Resource<?> updated =
        store.updateStatus(key, new PodStatus(PodPhase.Running, "10.240.0.11", "10.241.1.5"));
    assertThat(updated.metadata().resourceVersion()).isEqualTo("2");
    assertThat(updated.metadata().generation()).isEqualTo(1L);

    assertThat(store.apply(yaml(POD)))
        .extracting(ApplyResult::outcome)
        .containsExactly(ApplyResult.Outcome.UNCHANGED);
    assertThat(store.get(PodSpec.class, "foo", "web-1").orElseThrow().status())
        .isEqualTo(new PodStatus(PodPhase.Running, "10.240.0.11", "10.241.1.5"));

    ConfigException bad =
        catchThrowableOfType(
            ConfigException.class,
            () -> store.updateStatus(key, new PodStatus(PodPhase.Running, null, "10.241.1.500")));
    assertThat(bad.errors())
        .extracting(ConfigError::toString)
        .containsExactly("test.yaml:1: status.podIP: \"10.241.1.500\" is not an IP address");
  }

  @Test
  void anAllocatedClusterIpSurvivesReapply() throws Exception {
    store.apply(yaml(SERVICE));
    ResourceKey key = new ResourceKey(Kind.SERVICE, "foo", "web");

    store.update(
        key,
        r ->
            r.as(ServiceSpec.class)
                .orElseThrow()
                .withSpec(((ServiceSpec) r.spec()).withClusterIP("10.96.0.10")));
    store.apply(yaml(SERVICE));

    assertThat(store.get(ServiceSpec.class, "foo", "web").orElseThrow().spec().clusterIP())
        .isEqualTo("10.96.0.10");
  }

  @Test
  void watchersGetTheCurrentContentThenEveryChangeInOrder() throws Exception {
    store.apply(yaml(SERVICE));
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    AtomicReference<ConfigSnapshot> last = new AtomicReference<>();

    try (Watch watch =
        store.watch(
            (events, snapshot) -> {
              events.forEach(
                  e -> seen.add(e.type() + " " + e.object().key() + " @" + e.resourceVersion()));
              last.set(snapshot);
            })) {
      store.apply(yaml(POLICY + "---\n" + POD));
      store.updateStatus(
          new ResourceKey(Kind.POD, "foo", "web-1"), new PodStatus(PodPhase.Pending, null, null));
      store.delete(new ResourceKey(Kind.SERVICE, "foo", "web"));

      await().until(() -> seen.size() == 5);
      assertThat(seen)
          .containsExactly(
              "ADDED Service foo/web @1",
              "ADDED AuthorizationPolicy foo/deny-get @2",
              "ADDED Pod foo/web-1 @3",
              "MODIFIED Pod foo/web-1 @4",
              "DELETED Service foo/web @5");
      assertThat(last.get().resourceVersion()).isEqualTo(5);
      assertThat(last.get().list(Kind.SERVICE, null)).isEmpty();
    }
  }

  @Test
  void readersNeverSeeAHalfAppliedBatch() throws Exception {
    int batchSize = 20;
    List<String> problems = Collections.synchronizedList(new ArrayList<>());
    Thread reader =
        Thread.ofPlatform()
            .start(
                () -> {
                  while (!Thread.currentThread().isInterrupted()) {
                    ConfigSnapshot snap = store.snapshot();
                    List<Resource<?>> services = snap.list(Kind.SERVICE, "foo");
                    long generations =
                        services.stream()
                            .map(r -> r.metadata().labels().get("round"))
                            .distinct()
                            .count();
                    if (!(services.isEmpty()
                        || (services.size() == batchSize && generations == 1))) {
                      problems.add(services.size() + " services from " + generations + " rounds");
                    }
                  }
                });
    try {
      for (int round = 0; round < 60; round++) {
        List<Resource<?>> batch = new ArrayList<>();
        for (int i = 0; i < batchSize; i++) {
          batch.add(
              Resource.of(
                  ObjectMeta.of("foo", "svc-" + i).withLabels(Map.of("round", "r" + round)),
                  new ServiceSpec(
                      null,
                      null,
                      null,
                      List.of(new dev.ambit.api.core.ServicePort(null, null, null, 80, null)))));
        }
        store.apply(batch);
      }
    } finally {
      reader.interrupt();
      reader.join();
    }
    assertThat(problems).isEmpty();
    assertThat(store.snapshot().resourceVersion()).isEqualTo(60L * batchSize);
  }
}
