package dev.ambit.kube;

import dev.ambit.control.ControlPlane;
import dev.ambit.kube.identity.KubeTokenAuthenticator;
import dev.ambit.kube.source.KubeConfigSource;
import dev.ambit.kube.waypoint.WaypointReconciler;
import dev.ambit.kube.waypoint.WaypointTemplate;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane in Kubernetes mode: the Kubernetes API owns the configuration ({@link
 * KubeConfigSource} mirrors it into the store before the first state is built and served; no local
 * scheduling, VIP allocation or persistence), ztunnels authenticate with service-account tokens
 * ({@link KubeTokenAuthenticator}) and waypoint Gateways get Deployments, Services and status
 * ({@link WaypointReconciler}).
 */
public final class KubeControlPlane implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KubeControlPlane.class);

  /**
   * Kubernetes-mode settings on top of the control plane's. {@code namespace} is where the control
   * plane runs (its Service {@code ambit-control} there is the xDS/CA address waypoints are given);
   * {@code rootConfigMap} names the ConfigMap with the mesh root that proxies verify the control
   * plane with.
   */
  public record Options(
      ControlPlane.Options control,
      String tokenAudience,
      Set<String> nodeAccounts,
      Duration resync,
      String waypointImage,
      Duration listTimeout,
      String namespace,
      String rootConfigMap) {

    public static final String DEFAULT_NAMESPACE = "istio-system";
    public static final String DEFAULT_ROOT_CONFIG_MAP = "ambit-ca-root";

    public static Options defaults(ControlPlane.Options control) {
      return new Options(
          control,
          KubeTokenAuthenticator.DEFAULT_AUDIENCE,
          Set.of(KubeTokenAuthenticator.DEFAULT_NODE_ACCOUNT),
          Duration.ofMinutes(10),
          "ambit/waypoint:latest",
          Duration.ofMinutes(2),
          DEFAULT_NAMESPACE,
          DEFAULT_ROOT_CONFIG_MAP);
    }

    /** The xDS/CA address proxies in pods dial: the control plane's Service. */
    public String xdsAddress() {
      return "ambit-control." + namespace + ".svc:" + control.xdsAddress().getPort();
    }

    WaypointTemplate waypointTemplate() {
      return new WaypointTemplate(
          waypointImage, xdsAddress(), tokenAudience, rootConfigMap, control.trustDomain());
    }
  }

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private ControlPlane controlPlane;
  private volatile KubeConfigSource source;

  private KubeControlPlane() {}

  /** Starts everything; returns once the store mirrors the cluster. */
  public static KubeControlPlane start(KubernetesClient client, Options options) {
    KubeControlPlane kube = new KubeControlPlane();
    try {
      KubeTokenAuthenticator tokens =
          new KubeTokenAuthenticator(
              client,
              options.tokenAudience(),
              options.nodeAccounts(),
              options.control().trustDomain(),
              Duration.ofMinutes(1),
              Clock.systemUTC());
      kube.controlPlane =
          ControlPlane.start(
              options
                  .control()
                  .external(
                      tokens,
                      store ->
                          kube.source =
                              KubeConfigSource.start(
                                  client, store, options.resync(), options.listTimeout())));
      kube.closeables.add(kube.controlPlane);
      kube.closeables.add(
          new WaypointReconciler(client, kube.controlPlane.store(), options.waypointTemplate())
              .start(options.listTimeout()));
      log.info("Kubernetes mode ready: API server {}", client.getMasterUrl());
    } catch (RuntimeException e) {
      kube.close();
      throw e;
    }
    return kube;
  }

  public ControlPlane controlPlane() {
    return controlPlane;
  }

  public KubeConfigSource source() {
    return source;
  }

  @Override
  public void close() {
    List<AutoCloseable> all = new ArrayList<>(closeables);
    Collections.reverse(all);
    for (AutoCloseable c : all) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("error while stopping: {}", e.getMessage());
      }
    }
  }
}
