package dev.ambit.api.store;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One watcher: a queue of batches drained in order by its own virtual thread. */
final class Subscription implements Watch {

  private static final Logger LOG = LoggerFactory.getLogger(Subscription.class);

  private record Batch(List<WatchEvent> events, ConfigSnapshot snapshot) {}

  private static final Batch STOP = new Batch(List.of(), null);

  private final WatchListener listener;
  private final Consumer<Subscription> onClose;
  private final LinkedBlockingQueue<Batch> queue = new LinkedBlockingQueue<>();
  private Thread thread;

  Subscription(WatchListener listener, Consumer<Subscription> onClose) {
    this.listener = listener;
    this.onClose = onClose;
  }

  void offer(List<WatchEvent> events, ConfigSnapshot snapshot) {
    queue.add(new Batch(events, snapshot));
  }

  void start() {
    thread = Thread.ofVirtual().name("ambit-config-watch").start(this::run);
  }

  private void run() {
    try {
      while (true) {
        Batch batch = queue.take();
        if (batch == STOP) {
          return;
        }
        try {
          listener.onEvents(batch.events(), batch.snapshot());
        } catch (RuntimeException e) {
          LOG.error("config watcher failed on {} events", batch.events().size(), e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops delivery; batches already queued before the close are still delivered. */
  @Override
  public void close() {
    onClose.accept(this);
    queue.add(STOP);
  }
}
