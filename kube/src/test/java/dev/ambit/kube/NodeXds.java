package dev.ambit.kube;

import dev.ambit.control.ControlPlane;
import dev.ambit.proto.client.ControlPlaneCredentials;
import dev.ambit.proto.client.TypeUrls;
import dev.ambit.proto.client.XdsClient;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.workload.Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A ztunnel's view: a real xDS client with a node credential, counting the responses it gets. */
final class NodeXds implements AutoCloseable {

  final XdsClient client;
  final AtomicInteger responses = new AtomicInteger();

  NodeXds(ControlPlane cp, String node, Path dir) throws InterruptedException {
    cp.ca().issueNodeCredential(node, Duration.ofHours(1)).writeTo(dir);
    client =
        XdsClient.builder("127.0.0.1:" + cp.xdsPort(), ControlPlaneCredentials.fromDirectory(dir))
            .nodeId("ztunnel~" + node)
            .subscribe(TypeUrls.ADDRESS, Address.class, (u, r) -> responses.incrementAndGet())
            .subscribe(
                TypeUrls.AUTHORIZATION, Authorization.class, (u, r) -> responses.incrementAndGet())
            .build();
    client.start();
    if (!client.awaitSynced(Duration.ofSeconds(20))) {
      throw new IllegalStateException("xDS client of " + node + " did not sync");
    }
  }

  Map<String, Address> addresses() {
    return client.resources(TypeUrls.ADDRESS);
  }

  Map<String, Authorization> authorizations() {
    return client.resources(TypeUrls.AUTHORIZATION);
  }

  @Override
  public void close() {
    client.close();
  }
}
