package dev.ambit.control.mgmt;

import dev.ambit.control.ControlPlane;
import dev.ambit.control.state.MeshState;
import dev.ambit.proto.control.ObjectRef;
import dev.ambit.proto.control.PodInfo;
import dev.ambit.proto.control.WatchEvent;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.Map;

/**
 * Streams the pods of one node (or all) as computed mesh state: the current ones as ADDED, then
 * SYNCED, then ADDED/MODIFIED/DELETED whenever a pod's {@link PodInfo} changes (including its
 * scheduling, its status and its mesh membership through namespace labels).
 */
final class PodWatch {

  private final ControlPlane cp;
  private final String node;
  private final String namespace;
  private final StreamObserver<WatchEvent> out;
  private final Map<String, PodInfo> sent = new HashMap<>();
  private AutoCloseable registration;
  private boolean closed;

  PodWatch(ControlPlane cp, String node, String namespace, StreamObserver<WatchEvent> out) {
    this.cp = cp;
    this.node = node;
    this.namespace = namespace;
    this.out = out;
  }

  synchronized void start() {
    if (out instanceof ServerCallStreamObserver<WatchEvent> call) {
      call.setOnCancelHandler(this::close);
    }
    registration = cp.onState(this::update);
    update(cp.state());
    send(WatchEvent.newBuilder().setType(WatchEvent.Type.SYNCED).build());
  }

  private synchronized void update(MeshState state) {
    if (closed) {
      return;
    }
    Map<String, PodInfo> now = new HashMap<>();
    state
        .pods()
        .forEach(
            (k, p) -> {
              if ((node.isEmpty() || node.equals(p.getNode()))
                  && (namespace.isEmpty() || namespace.equals(p.getNamespace()))) {
                now.put(k, p);
              }
            });
    for (var e : now.entrySet()) {
      PodInfo old = sent.get(e.getKey());
      if (old == null) {
        send(event(WatchEvent.Type.ADDED, e.getValue()));
      } else if (!old.equals(e.getValue())) {
        send(event(WatchEvent.Type.MODIFIED, e.getValue()));
      }
    }
    for (var e : sent.entrySet()) {
      if (!now.containsKey(e.getKey())) {
        send(event(WatchEvent.Type.DELETED, e.getValue()));
      }
    }
    sent.clear();
    sent.putAll(now);
  }

  private static WatchEvent event(WatchEvent.Type type, PodInfo pod) {
    WatchEvent.Builder e = WatchEvent.newBuilder().setType(type).setPod(pod);
    e.getObjectBuilder()
        .setRef(
            ObjectRef.newBuilder()
                .setKind("Pod")
                .setNamespace(pod.getNamespace())
                .setName(pod.getName()));
    return e.build();
  }

  private void send(WatchEvent e) {
    try {
      out.onNext(e);
    } catch (RuntimeException ex) {
      close();
    }
  }

  private synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      registration.close();
    } catch (Exception e) {
      // removing a listener does not fail
    }
  }
}
