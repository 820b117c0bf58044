package dev.ambit.control.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Control-plane metrics, named like the ecosystem's control plane so dashboards carry over, and
 * rendered in the Prometheus text format.
 */
public final class ControlMetrics {

  private static final double[] PUSH_BUCKETS = {
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  private final Map<String, LongAdder> pushes = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> rejects = new ConcurrentHashMap<>();
  private final LongAdder pushBytes = new LongAdder();
  private final AtomicLong connected = new AtomicLong();
  private final Histogram convergence = new Histogram(PUSH_BUCKETS);
  private final LongAdder csr = new LongAdder();
  private final LongAdder issued = new LongAdder();
  private final LongAdder denied = new LongAdder();
  private final LongAdder csrErrors = new LongAdder();
  private final LongAdder internalErrors = new LongAdder();
  private final LongAdder builds = new LongAdder();

  public void pushed(String type, int bytes) {
    pushes.computeIfAbsent(type, t -> new LongAdder()).increment();
    pushBytes.add(bytes);
  }

  public void rejected(String type) {
    rejects.computeIfAbsent(type, t -> new LongAdder()).increment();
  }

  public void pushLatency(double seconds) {
    convergence.observe(seconds);
  }

  public void connected() {
    connected.incrementAndGet();
  }

  public void disconnected() {
    connected.decrementAndGet();
  }

  public long connectedProxies() {
    return connected.get();
  }

  public void csrReceived() {
    csr.increment();
  }

  public void certIssued() {
    issued.increment();
  }

  public void csrDenied() {
    denied.increment();
  }

  public void csrError() {
    csrErrors.increment();
  }

  public void internalError() {
    internalErrors.increment();
  }

  public void stateBuilt() {
    builds.increment();
  }

  /** Prometheus text exposition format 0.0.4. */
  public String render() {
    StringBuilder out = new StringBuilder();
    labelled(out, "pilot_xds_pushes", "counter", "xDS responses sent, by type.", pushes);
    labelled(
        out,
        "pilot_total_xds_rejects",
        "counter",
        "xDS responses rejected (NACK) by proxies, by type.",
        rejects);
    single(
        out,
        "pilot_xds_push_bytes",
        "counter",
        "Serialized bytes of xDS responses sent.",
        pushBytes.sum());
    single(out, "pilot_xds", "gauge", "Connected xDS clients.", connected.get());
    convergence.render(
        out,
        "pilot_proxy_convergence_time",
        "Delay from a config change to the push reaching a proxy's stream, seconds.");
    single(
        out,
        "pilot_total_xds_internal_errors",
        "counter",
        "Internal errors while serving xDS.",
        internalErrors.sum());
    single(out, "ambit_state_builds", "counter", "Mesh state snapshots computed.", builds.sum());
    single(
        out,
        "citadel_server_csr_count",
        "counter",
        "Certificate signing requests received.",
        csr.sum());
    single(
        out,
        "citadel_server_success_cert_issuance_count",
        "counter",
        "Certificates issued.",
        issued.sum());
    single(
        out,
        "citadel_server_authentication_failure_count",
        "counter",
        "Certificate requests refused (identity not allowed for the caller).",
        denied.sum());
    single(
        out,
        "citadel_server_csr_parsing_err_count",
        "counter",
        "Certificate requests with an invalid CSR.",
        csrErrors.sum());
    return out.toString();
  }

  private static void single(StringBuilder out, String name, String type, String help, long value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    out.append(name).append(' ').append(value).append('\n');
  }

  private static void labelled(
      StringBuilder out, String name, String type, String help, Map<String, LongAdder> values) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    new java.util.TreeMap<>(values)
        .forEach(
            (k, v) ->
                out.append(name)
                    .append("{type=\"")
                    .append(k)
                    .append("\"} ")
                    .append(v.sum())
                    .append('\n'));
  }
}
