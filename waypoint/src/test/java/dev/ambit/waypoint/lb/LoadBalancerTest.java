package dev.ambit.waypoint.lb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.proto.workload.LoadBalancerAlgorithm;
import dev.ambit.waypoint.config.Endpoint;
import dev.ambit.waypoint.config.ServiceInfo;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoadBalancerTest {

  final AtomicLong clock = new AtomicLong(1_000_000_000L);
  final LoadBalancer lb =
      new LoadBalancer(new OutlierPolicy(3, Duration.ofSeconds(10)), clock::get);
  final Random random = new Random(7);

  static Endpoint ep(String name, boolean healthy) {
    try {
      return new Endpoint(
          "local//Pod/default/" + name,
          name,
          "default",
          "spiffe://cluster.local/ns/default/sa/default",
          InetAddress.getByName("10.241.1." + (name.hashCode() & 0x7f)),
          8080,
          healthy);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void leastRequestPrefersTheLessLoadedOfTwo() {
    Endpoint busy = ep("busy", true);
    Endpoint idle = ep("idle", true);
    for (int i = 0; i < 5; i++) {
      lb.start(busy);
    }
    for (int i = 0; i < 100; i++) {
      assertThat(lb.pick(List.of(busy, idle), random)).contains(idle);
    }
  }

  @Test
  void spreadsEvenlyWhenIdle() {
    List<Endpoint> eps = List.of(ep("a", true), ep("b", true), ep("c", true));
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      counts.merge(lb.pick(eps, random).orElseThrow().workloadName(), 1, Integer::sum);
    }
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(850, 1150));
  }

  @Test
  void unhealthyWorkloadsAreNeverPicked() {
    assertThat(lb.pick(List.of(ep("down", false)), random)).isEmpty();
    for (int i = 0; i < 50; i++) {
      assertThat(
              lb.pick(List.of(ep("down", false), ep("up", true)), random)
                  .orElseThrow()
                  .workloadName())
          .isEqualTo("up");
    }
  }

  @Test
  void ejectsAfterConsecutiveFailuresAndReturnsAfterThePeriod() {
    Endpoint bad = ep("bad", true);
    Endpoint good = ep("good", true);
    lb.start(bad);
    lb.finish(bad, true);
    lb.start(bad);
    lb.finish(bad, false);
    lb.start(bad);
    lb.finish(bad, true);
    lb.start(bad);
    lb.finish(bad, true);
    assertThat(lb.ejected(bad)).as("a success in between resets the count").isFalse();
    lb.start(bad);
    lb.finish(bad, true);
    assertThat(lb.ejected(bad)).isTrue();
    for (int i = 0; i < 50; i++) {
      assertThat(lb.pick(List.of(bad, good), random)).contains(good);
    }
    // every endpoint ejected: panic mode still serves
    assertThat(lb.pick(List.of(bad), random)).contains(bad);

    clock.addAndGet(Duration.ofSeconds(10).toNanos());
    assertThat(lb.ejected(bad)).isFalse();
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      counts.merge(
          lb.pick(List.of(bad, good), random).orElseThrow().workloadName(), 1, Integer::sum);
    }
    assertThat(counts).containsKeys("bad", "good");
  }

  @Test
  void repeatedEjectionLastsLonger() {
    Endpoint bad = ep("bad", true);
    for (int round = 1; round <= 2; round++) {
      for (int i = 0; i < 3; i++) {
        lb.start(bad);
        lb.finish(bad, true);
      }
      assertThat(lb.ejected(bad)).isTrue();
      clock.addAndGet(Duration.ofSeconds(10).toNanos());
    }
    assertThat(lb.ejected(bad)).as("second ejection lasts 20s").isTrue();
    clock.addAndGet(Duration.ofSeconds(10).toNanos());
    assertThat(lb.ejected(bad)).isFalse();
  }

  @Test
  void pendingLimiterBoundsInFlight() {
    PendingLimiter limiter = new PendingLimiter(2);
    assertThat(limiter.tryAcquire("svc")).isTrue();
    assertThat(limiter.tryAcquire("svc")).isTrue();
    assertThat(limiter.tryAcquire("svc")).isFalse();
    assertThat(limiter.tryAcquire("other")).isTrue();
    limiter.release("svc");
    assertThat(limiter.tryAcquire("svc")).isTrue();
  }

  static ServiceInfo service(Algorithm algorithm) {
    return new ServiceInfo(
        "default",
        "reviews",
        "reviews.default.svc.cluster.local",
        List.of(),
        List.of(new ServiceInfo.ServicePort(9080, 8080)),
        Optional.empty(),
        algorithm);
  }

  @Test
  void roundRobinTakesTheServicesEndpointsInTurn() {
    ServiceInfo reviews = service(Algorithm.ROUND_ROBIN);
    List<Endpoint> eps = List.of(ep("a", true), ep("b", true), ep("c", true), ep("d", false));
    List<String> picked = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      picked.add(lb.pick(reviews, eps, random).orElseThrow().workloadName());
    }
    assertThat(picked).containsExactly("a", "b", "c", "a", "b", "c");
    // An ejected endpoint drops out of the rotation.
    for (int i = 0; i < 3; i++) {
      lb.start(eps.get(1));
      lb.finish(eps.get(1), true);
    }
    assertThat(lb.pick(reviews, eps, random)).isPresent();
    List<String> after = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      after.add(lb.pick(reviews, eps, random).orElseThrow().workloadName());
    }
    assertThat(after).doesNotContain("b").contains("a", "c");
  }

  @Test
  void theServicesConfiguredAlgorithmIsUsed() {
    assertThat(Algorithm.of(LoadBalancerAlgorithm.LB_ROUND_ROBIN)).isEqualTo(Algorithm.ROUND_ROBIN);
    assertThat(Algorithm.of(LoadBalancerAlgorithm.LB_LEAST_REQUEST))
        .isEqualTo(Algorithm.LEAST_REQUEST);
    assertThat(Algorithm.of(LoadBalancerAlgorithm.LB_DEFAULT)).isEqualTo(Algorithm.LEAST_REQUEST);
    // least request with one busy endpoint: never the busy one, whatever the order
    Endpoint busy = ep("busy", true);
    Endpoint idle = ep("idle", true);
    lb.start(busy);
    for (int i = 0; i < 20; i++) {
      assertThat(lb.pick(service(Algorithm.LEAST_REQUEST), List.of(busy, idle), random))
          .contains(idle);
    }
  }
}
