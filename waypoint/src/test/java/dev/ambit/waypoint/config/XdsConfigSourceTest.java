package dev.ambit.waypoint.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.proto.waypoint.HttpRoute;
import dev.ambit.proto.waypoint.ParentRef;
import dev.ambit.waypoint.testing.Mesh;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class XdsConfigSourceTest {

  @Test
  void foldsDeltasAndPublishesOnlyOnceSynced() throws Exception {
    ConfigStore store = new ConfigStore("shop", "waypoint");
    XdsConfigSource source = new XdsConfigSource(store);
    Map<String, dev.ambit.proto.workload.Address> addresses = new HashMap<>();
    var all = new Mesh().service("reviews", "10.96.0.10", 9080, 8080).addresses();
    for (int i = 0; i < all.size(); i++) {
      addresses.put("r" + i, all.get(i));
    }
    source.onAddresses(addresses, Set.of());
    assertThat(store.received()).isFalse();
    assertThat(store.snapshot().mesh().serviceByVip(InetAddress.getByName("10.96.0.10"))).isEmpty();

    source.onRoutes(Map.of(), Set.of());
    source.onPolicies(Map.of(), Set.of());
    source.synced();
    assertThat(store.received()).isTrue();
    assertThat(store.snapshot().mesh().serviceByVip(InetAddress.getByName("10.96.0.10")))
        .isPresent();

    HttpRoute route =
        HttpRoute.newBuilder()
            .setName("r")
            .setNamespace("shop")
            .addParents(ParentRef.newBuilder().setName("reviews"))
            .build();
    source.onRoutes(Map.of("shop/r", route), Set.of());
    ServiceInfo reviews = store.snapshot().mesh().service("shop", "reviews").orElseThrow();
    assertThat(store.snapshot().routes().hasRoutes(reviews, 9080)).isTrue();

    source.onRoutes(Map.of(), Set.of("shop/r"));
    source.onAddresses(Map.of(), Set.of("r1"));
    assertThat(store.snapshot().routes().hasRoutes(reviews, 9080)).isFalse();
    assertThat(store.snapshot().mesh().serviceByVip(InetAddress.getByName("10.96.0.10"))).isEmpty();
  }
}
