package dev.ambit.bench;

import com.google.protobuf.ByteString;
import dev.ambit.proto.security.Action;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.security.Clause;
import dev.ambit.proto.security.Match;
import dev.ambit.proto.security.Rule;
import dev.ambit.proto.security.StringMatch;
import dev.ambit.ztunnel.authz.ConnectionAttributes;
import dev.ambit.ztunnel.authz.Decision;
import dev.ambit.ztunnel.authz.PolicyIndex;
import dev.ambit.ztunnel.authz.PolicySet;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * L4 policy evaluation for one connection against a destination with many policies: {@code
 * policies} ALLOW policies of the destination's namespace and one DENY policy on port 22. {@code
 * shape} says what each ALLOW allows: {@code principal} one client principal on port 8080, {@code
 * namespace} one source namespace on port 8080, {@code ipBlock} one source /24 on port 8080, {@code
 * port} one destination port. {@code firstMatch} and {@code lastMatch} are connections the first
 * and the last ALLOW the set holds allows, {@code noMatch} one that nothing allows (denied).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PolicyEvaluationBenchmark {

  @Param({"10000"})
  public int policies;

  @Param({"principal", "namespace", "ipBlock", "port"})
  public String shape;

  private PolicySet set;
  private ConnectionAttributes last;
  private ConnectionAttributes none;
  private ConnectionAttributes first;

  @Setup
  public void setUp() throws UnknownHostException {
    Map<String, Authorization> all = new HashMap<>();
    for (int i = 0; i < policies; i++) {
      Authorization p = allow(i);
      all.put(p.getNamespace() + "/" + p.getName(), p);
    }
    Authorization deny =
        Authorization.newBuilder()
            .setName("deny-ssh")
            .setNamespace("bench")
            .setScope(dev.ambit.proto.security.Scope.NAMESPACE)
            .setAction(Action.DENY)
            .addRules(
                Rule.newBuilder()
                    .addClauses(
                        Clause.newBuilder()
                            .addMatches(Match.newBuilder().addDestinationPorts(22).build())))
            .build();
    all.put("bench/deny-ssh", deny);
    set = new PolicyIndex(all, PolicyIndex.EMPTY).forWorkload("bench", List.of());
    if (set.size() != policies + 1) {
      throw new IllegalStateException(
          "expected " + (policies + 1) + " policies, got " + set.size());
    }
    // The set keeps DENY first, then the ALLOWs in an order of its own.
    List<String> keys = set.keys();
    first = connection(index(keys.get(1)));
    last = connection(index(keys.get(keys.size() - 1)));
    none = connection(-1);
    check(last, true);
    check(first, true);
    check(none, false);
  }

  private static int index(String policyKey) {
    return Integer.parseInt(policyKey.substring(policyKey.indexOf("allow-") + "allow-".length()));
  }

  /** A connection the ALLOW policy {@code i} allows; -1: one no policy allows. */
  private ConnectionAttributes connection(int i) throws UnknownHostException {
    String ns = "bench";
    String sa = "client";
    String src = "10.241.1.2";
    int port = 8080;
    switch (shape) {
      case "principal" -> sa = i < 0 ? "stranger" : "client-" + i;
      case "namespace" -> ns = i < 0 ? "stranger" : "ns-" + i;
      case "ipBlock" -> src = i < 0 ? "192.168.0.1" : block(i) + "7";
      case "port" -> port = i < 0 ? 9 : 10_000 + i;
      default -> throw new IllegalArgumentException("unknown shape " + shape);
    }
    return ConnectionAttributes.of(
        InetAddress.getByName(src),
        "spiffe://cluster.local/ns/" + ns + "/sa/" + sa,
        InetAddress.getByName("10.241.2.2"),
        port);
  }

  /** The first three octets (with the trailing dot) of policy {@code i}'s source /24. */
  private static String block(int i) {
    return "10." + (i >> 8) + "." + (i & 0xff) + ".";
  }

  private void check(ConnectionAttributes c, boolean allowed) {
    Decision d = set.evaluate(c);
    if (d.allowed() != allowed) {
      throw new IllegalStateException("unexpected decision for " + c + ": " + d);
    }
  }

  private Authorization allow(int i) throws UnknownHostException {
    Match.Builder match = Match.newBuilder();
    switch (shape) {
      case "principal" ->
          match
              .addPrincipals(
                  StringMatch.newBuilder().setExact("cluster.local/ns/bench/sa/client-" + i))
              .addDestinationPorts(8080);
      case "namespace" ->
          match
              .addNamespaces(StringMatch.newBuilder().setExact("ns-" + i))
              .addDestinationPorts(8080);
      case "ipBlock" ->
          match
              .addSourceIps(
                  dev.ambit.proto.security.Address.newBuilder()
                      .setAddress(
                          ByteString.copyFrom(InetAddress.getByName(block(i) + "0").getAddress()))
                      .setLength(24))
              .addDestinationPorts(8080);
      case "port" -> match.addDestinationPorts(10_000 + i);
      default -> throw new IllegalArgumentException("unknown shape " + shape);
    }
    return Authorization.newBuilder()
        .setName("allow-" + i)
        .setNamespace("bench")
        .setScope(dev.ambit.proto.security.Scope.NAMESPACE)
        .setAction(Action.ALLOW)
        .addRules(Rule.newBuilder().addClauses(Clause.newBuilder().addMatches(match)))
        .build();
  }

  @Benchmark
  public Decision firstMatch() {
    return set.evaluate(first);
  }

  @Benchmark
  public Decision lastMatch() {
    return set.evaluate(last);
  }

  @Benchmark
  public Decision noMatch() {
    return set.evaluate(none);
  }
}
