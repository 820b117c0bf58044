package dev.ambit.ztunnel.state;

import static dev.ambit.ztunnel.state.Fixtures.backs;
import static dev.ambit.ztunnel.state.Fixtures.pod;
import static dev.ambit.ztunnel.state.Fixtures.resource;
import static dev.ambit.ztunnel.state.Fixtures.resources;
import static dev.ambit.ztunnel.state.Fixtures.service;
import static dev.ambit.ztunnel.state.Fixtures.waypoint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.proto.workload.TunnelProtocol;
import dev.ambit.proto.workload.WorkloadStatus;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DestinationResolverTest {

  static final String REVIEWS = "default/reviews.default.svc.cluster.local";
  static final String WAYPOINT_SVC = "default/waypoint.default.svc.cluster.local";

  final StateStore store = new StateStore();

  static InetSocketAddress at(String ip, int port) {
    return new InetSocketAddress(ip, port);
  }

  void load(java.util.Map<String, dev.ambit.proto.workload.Address> resources) {
    store.updateAddresses(resources, List.of());
  }

  @Test
  void serviceVipGoesToAHealthyEndpointOnItsTargetPort() {
    load(
        resources(
            resource(service("default", "reviews", "10.96.0.10", 9080, 9080)),
            resource(
                backs(pod("default", "reviews-1", "reviews", "10.241.1.5"), REVIEWS, 9080, 8080)),
            resource(
                backs(pod("default", "reviews-2", "reviews", "10.241.1.6"), REVIEWS, 9080, 8080)
                    .setStatus(WorkloadStatus.UNHEALTHY)),
            resource(pod("default", "curl", "curl", "10.241.1.2"))));
    StateSnapshot s = store.snapshot();
    for (int i = 0; i < 20; i++) {
      Route r =
          DestinationResolver.resolve(
              s, s.workload("local//Pod/default/curl"), at("10.96.0.10", 9080));
      assertThat(r).isInstanceOf(Route.Hbone.class);
      Route.Hbone h = (Route.Hbone) r;
      assertThat(h.authority()).isEqualTo(at("10.241.1.5", 8080));
      assertThat(h.proxy()).isEqualTo(at("10.241.1.5", 15008));
      assertThat(h.expectedIdentities())
          .containsExactly("spiffe://cluster.local/ns/default/sa/reviews");
      assertThat(h.service().key()).isEqualTo(REVIEWS);
      assertThat(h.waypoint()).isNull();
    }
  }

  @Test
  void serviceWithoutHealthyEndpointIsUnreachable() {
    load(resources(resource(service("default", "reviews", "10.96.0.10", 9080, 9080))));
    Route r = DestinationResolver.resolve(store.snapshot(), null, at("10.96.0.10", 9080));
    assertThat(r).isInstanceOf(Route.Unreachable.class);
    assertThat(((Route.Unreachable) r).reason()).contains("no healthy endpoint");
  }

  @Test
  void serviceWithWaypointKeepsVipAsAuthorityAndGoesToWaypointPod() {
    load(
        resources(
            resource(
                service("default", "reviews", "10.96.0.10", 9080, 9080)
                    .setWaypoint(waypoint("10.96.0.99"))),
            resource(
                backs(pod("default", "reviews-1", "reviews", "10.241.1.5"), REVIEWS, 9080, 9080)),
            resource(service("default", "waypoint", "10.96.0.99", 15008, 15008)),
            resource(
                backs(
                    pod("default", "waypoint-0", "waypoint", "10.241.2.9"),
                    WAYPOINT_SVC,
                    15008,
                    15008)),
            resource(pod("default", "curl", "curl", "10.241.1.2"))));
    StateSnapshot s = store.snapshot();
    Route.Hbone h =
        (Route.Hbone)
            DestinationResolver.resolve(
                s, s.workload("local//Pod/default/curl"), at("10.96.0.10", 9080));
    assertThat(h.authority()).isEqualTo(at("10.96.0.10", 9080));
    assertThat(h.proxy()).isEqualTo(at("10.241.2.9", 15008));
    assertThat(h.expectedIdentities())
        .containsExactly("spiffe://cluster.local/ns/default/sa/waypoint");
    assertThat(h.waypoint().name()).isEqualTo("waypoint-0");

    Route fromWaypoint =
        DestinationResolver.resolve(
            s, s.workload("local//Pod/default/waypoint-0"), at("10.96.0.10", 9080));
    assertThat(((Route.Hbone) fromWaypoint).proxy())
        .as("the waypoint's own traffic goes to the endpoint")
        .isEqualTo(at("10.241.1.5", 15008));
  }

  @Test
  void avoidedWaypointReplicaIsPickedOnlyWhenNoOtherIsLeft() throws Exception {
    load(
        resources(
            resource(
                service("default", "reviews", "10.96.0.10", 9080, 9080)
                    .setWaypoint(waypoint("10.96.0.99"))),
            resource(
                backs(pod("default", "reviews-1", "reviews", "10.241.1.5"), REVIEWS, 9080, 9080)),
            resource(service("default", "waypoint", "10.96.0.99", 15008, 15008)),
            resource(
                backs(
                    pod("default", "waypoint-0", "waypoint", "10.241.2.8"),
                    WAYPOINT_SVC,
                    15008,
                    15008)),
            resource(
                backs(
                    pod("default", "waypoint-1", "waypoint", "10.241.2.9"),
                    WAYPOINT_SVC,
                    15008,
                    15008))));
    StateSnapshot s = store.snapshot();
    java.net.InetAddress dead = java.net.InetAddress.getByName("10.241.2.8");
    java.util.Set<InetSocketAddress> seen = new java.util.HashSet<>();
    for (int i = 0; i < 40; i++) {
      seen.add(
          ((Route.Hbone) DestinationResolver.resolve(s, null, at("10.96.0.10", 9080))).proxy());
      Route.Hbone avoiding =
          (Route.Hbone) DestinationResolver.resolve(s, null, at("10.96.0.10", 9080), dead::equals);
      assertThat(avoiding.proxy()).isEqualTo(at("10.241.2.9", 15008));
    }
    assertThat(seen).as("both replicas are used").hasSize(2);
    Route.Hbone allAvoided =
        (Route.Hbone) DestinationResolver.resolve(s, null, at("10.96.0.10", 9080), ip -> true);
    assertThat(allAvoided.waypoint().name())
        .as("still a replica of the waypoint, never the endpoint directly")
        .startsWith("waypoint-");
  }

  @Test
  void waypointWithoutWorkloadsIsUnreachableNeverBypassed() {
    load(
        resources(
            resource(
                service("default", "reviews", "10.96.0.10", 9080, 9080)
                    .setWaypoint(waypoint("10.96.0.99"))),
            resource(
                backs(pod("default", "reviews-1", "reviews", "10.241.1.5"), REVIEWS, 9080, 9080))));
    assertThat(DestinationResolver.resolve(store.snapshot(), null, at("10.96.0.10", 9080)))
        .isInstanceOf(Route.Unreachable.class);
  }

  @Test
  void podIpGoesDirectOrThroughItsWorkloadWaypoint() {
    load(
        resources(
            resource(pod("default", "plain", "plain", "10.241.1.5")),
            resource(
                pod("default", "guarded", "guarded", "10.241.1.6")
                    .setWaypoint(waypoint("10.96.0.99"))),
            resource(service("default", "waypoint", "10.96.0.99", 15008, 15008)),
            resource(
                backs(
                    pod("default", "waypoint-0", "waypoint", "10.241.2.9"),
                    WAYPOINT_SVC,
                    15008,
                    15008))));
    StateSnapshot s = store.snapshot();
    Route.Hbone direct = (Route.Hbone) DestinationResolver.resolve(s, null, at("10.241.1.5", 80));
    assertThat(direct.proxy()).isEqualTo(at("10.241.1.5", 15008));
    assertThat(direct.authority()).isEqualTo(at("10.241.1.5", 80));
    assertThat(direct.destination().name()).isEqualTo("plain");

    Route.Hbone guarded = (Route.Hbone) DestinationResolver.resolve(s, null, at("10.241.1.6", 80));
    assertThat(guarded.proxy()).isEqualTo(at("10.241.2.9", 15008));
    assertThat(guarded.authority()).isEqualTo(at("10.241.1.6", 80));
    assertThat(guarded.destination().name()).isEqualTo("guarded");

    assertThat(
            DestinationResolver.requiredPeerIdentities(s, s.workload("local//Pod/default/guarded")))
        .isEqualTo(Set.of("spiffe://cluster.local/ns/default/sa/waypoint"));
    assertThat(
            DestinationResolver.requiredPeerIdentities(s, s.workload("local//Pod/default/plain")))
        .isNull();
  }

  @Test
  void outsideMeshPassesThrough() {
    load(
        resources(
            resource(
                pod("legacy", "db", "db", "10.241.1.7").setTunnelProtocol(TunnelProtocol.NONE))));
    StateSnapshot s = store.snapshot();
    Route unknown = DestinationResolver.resolve(s, null, at("192.0.2.1", 443));
    assertThat(unknown).isEqualTo(new Route.Passthrough(at("192.0.2.1", 443), null, null));
    Route legacy = DestinationResolver.resolve(s, null, at("10.241.1.7", 5432));
    assertThat(legacy).isInstanceOf(Route.Passthrough.class);
    assertThat(((Route.Passthrough) legacy).destination().name()).isEqualTo("db");
  }
}
