package dev.ambit.control.mgmt;

import dev.ambit.api.ConfigWriter;
import dev.ambit.api.Kind;
import dev.ambit.api.Resource;
import dev.ambit.control.ControlPlane;
import dev.ambit.proto.control.WatchEvent;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/** Streams the config objects of one kind (e.g. Namespaces) from the store. */
final class ObjectWatch {

  private final ControlPlane cp;
  private final Kind kind;
  private final String namespace;
  private final StreamObserver<WatchEvent> out;
  private AutoCloseable subscription;
  private boolean synced;
  private volatile boolean closed;

  ObjectWatch(ControlPlane cp, Kind kind, String namespace, StreamObserver<WatchEvent> out) {
    this.cp = cp;
    this.kind = kind;
    this.namespace = namespace;
    this.out = out;
  }

  void start() {
    if (out instanceof ServerCallStreamObserver<WatchEvent> call) {
      call.setOnCancelHandler(this::close);
    }
    subscription =
        cp.store()
            .watch(
                (events, snapshot) -> {
                  if (closed) {
                    return;
                  }
                  for (var e : events) {
                    Resource<?> r = e.object();
                    if (r.kind() != kind
                        || (!namespace.isEmpty()
                            && kind.namespaced()
                            && !namespace.equals(r.namespace()))) {
                      continue;
                    }
                    WatchEvent.Builder ev =
                        WatchEvent.newBuilder().setType(WatchEvent.Type.valueOf(e.type().name()));
                    ev.getObjectBuilder()
                        .setRef(ManagementService.ref(r))
                        .setApiVersion(r.apiVersion())
                        .setJson(ConfigWriter.toJson(r));
                    send(ev.build());
                  }
                  if (!synced) {
                    synced = true;
                    send(WatchEvent.newBuilder().setType(WatchEvent.Type.SYNCED).build());
                  }
                });
  }

  private void send(WatchEvent e) {
    try {
      out.onNext(e);
    } catch (RuntimeException ex) {
      close();
    }
  }

  private void close() {
    closed = true;
    try {
      subscription.close();
    } catch (Exception e) {
      // nothing left to release
    }
  }
}
