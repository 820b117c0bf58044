package dev.ambit.ztunnel.authz;

import static dev.ambit.ztunnel.state.Fixtures.pod;
import static dev.ambit.ztunnel.state.Fixtures.resource;
import static dev.ambit.ztunnel.state.Fixtures.resources;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.proto.security.Action;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.security.Clause;
import dev.ambit.proto.security.Match;
import dev.ambit.proto.security.Rule;
import dev.ambit.proto.security.Scope;
import dev.ambit.proto.security.StringMatch;
import dev.ambit.ztunnel.state.StateStore;
import dev.ambit.ztunnel.state.WorkloadInfo;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class OpenConnectionsTest {

  record Conn(WorkloadInfo destination, ConnectionAttributes attributes, Map<String, String> closed)
      implements OpenConnections.Tracked {
    @Override
    public void close(String reason) {
      closed.put(attributes.sourcePrincipal(), reason);
    }
  }

  @Test
  void policyChangeClosesOnlyNowDeniedConnections() throws Exception {
    StateStore store = new StateStore();
    OpenConnections open = new OpenConnections();
    store.onUpdate(open::reevaluate);
    store.updateAddresses(resources(resource(pod("back", "api", "api", "10.241.1.5"))), List.of());
    WorkloadInfo api = store.snapshot().workload("local//Pod/back/api");
    Map<String, String> closed = new ConcurrentHashMap<>();
    InetAddress dst = InetAddress.getByName("10.241.1.5");
    open.track(
        new Conn(
            api,
            ConnectionAttributes.of(
                InetAddress.getByName("10.241.2.2"),
                "spiffe://cluster.local/ns/front/sa/web",
                dst,
                80),
            closed));
    open.track(
        new Conn(
            api,
            ConnectionAttributes.of(
                InetAddress.getByName("10.241.2.3"),
                "spiffe://cluster.local/ns/ops/sa/tool",
                dst,
                80),
            closed));
    Runnable untrack =
        open.track(
            new Conn(
                api,
                ConnectionAttributes.of(
                    InetAddress.getByName("10.241.2.4"),
                    "spiffe://cluster.local/ns/ops/sa/gone",
                    dst,
                    80),
                closed));
    untrack.run();

    Authorization onlyFront =
        Authorization.newBuilder()
            .setNamespace("back")
            .setName("only-front")
            .setScope(Scope.NAMESPACE)
            .setAction(Action.ALLOW)
            .addRules(
                Rule.newBuilder()
                    .addClauses(
                        Clause.newBuilder()
                            .addMatches(
                                Match.newBuilder()
                                    .addNamespaces(StringMatch.newBuilder().setExact("front")))))
            .build();
    store.updateAuthorizations(Map.of("back/only-front", onlyFront), List.of());

    assertThat(closed).containsOnlyKeys("cluster.local/ns/ops/sa/tool");
    assertThat(closed.get("cluster.local/ns/ops/sa/tool"))
        .isEqualTo("policy changed: no ALLOW policy matched");
    assertThat(open.size()).isEqualTo(1);
  }
}
