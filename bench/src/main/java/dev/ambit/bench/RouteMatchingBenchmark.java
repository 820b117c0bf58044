package dev.ambit.bench;

import dev.ambit.proto.waypoint.BackendRef;
import dev.ambit.proto.waypoint.HttpRoute;
import dev.ambit.proto.waypoint.ParentRef;
import dev.ambit.proto.waypoint.PathMatch;
import dev.ambit.proto.waypoint.RouteMatch;
import dev.ambit.proto.waypoint.RouteRule;
import dev.ambit.waypoint.config.ServiceInfo;
import dev.ambit.waypoint.lb.Algorithm;
import dev.ambit.waypoint.route.RouteTable;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The waypoint's route choice for one request to a service with {@code routes} HTTPRoutes (one
 * PathPrefix rule each, all of the same length, so precedence falls to their creation order):
 * matched by the first route tried, by the last one, and by none (the request gets 404).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouteMatchingBenchmark {

  private static final ServiceInfo SERVICE =
      new ServiceInfo(
          "bench",
          "reviews",
          "reviews.bench.svc.cluster.local",
          List.of(),
          List.of(new ServiceInfo.ServicePort(9080, 0)),
          Optional.empty(),
          Algorithm.LEAST_REQUEST);

  @Param({"1000"})
  int routes;

  private RouteTable table;
  private HttpRequest first;
  private HttpRequest last;
  private HttpRequest none;

  @Setup
  public void setUp() {
    List<HttpRoute> all = new ArrayList<>();
    for (int i = 0; i < routes; i++) {
      all.add(
          HttpRoute.newBuilder()
              .setName("route-" + i)
              .setNamespace("bench")
              .setCreatedMillis(i)
              .addParents(ParentRef.newBuilder().setName("reviews").setPort(9080))
              .addRules(
                  RouteRule.newBuilder()
                      .addMatches(
                          RouteMatch.newBuilder()
                              .setPath(
                                  PathMatch.newBuilder()
                                      .setType(PathMatch.Type.PATH_PREFIX)
                                      .setValue(path(i))))
                      .addBackends(BackendRef.newBuilder().setName("reviews-" + i).setPort(9080)))
              .build());
    }
    table = RouteTable.of(all);
    first = get(path(0) + "/item?id=7");
    last = get(path(routes - 1) + "/item?id=7");
    none = get("/elsewhere/item?id=7");
    if (route(first).isEmpty() || route(last).isEmpty() || route(none).isPresent()) {
      throw new IllegalStateException("the route table does not route as this benchmark expects");
    }
  }

  private static String path(int i) {
    return String.format("/api/v1/route-%05d", i);
  }

  private static HttpRequest get(String uri) {
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
  }

  private Optional<RouteTable.RouteDecision> route(HttpRequest request) {
    return table.route(SERVICE, 9080, request);
  }

  @Benchmark
  public Optional<RouteTable.RouteDecision> firstMatch() {
    return route(first);
  }

  @Benchmark
  public Optional<RouteTable.RouteDecision> lastMatch() {
    return route(last);
  }

  @Benchmark
  public Optional<RouteTable.RouteDecision> noMatch() {
    return route(none);
  }
}
