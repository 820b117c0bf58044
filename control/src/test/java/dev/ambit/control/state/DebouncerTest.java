package dev.ambit.control.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DebouncerTest {

  @Test
  void burstOfChangesRunsTheActionOnce() throws Exception {
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    try {
      AtomicInteger runs = new AtomicInteger();
      Debouncer d =
          new Debouncer(
              executor,
              Duration.ofMillis(300),
              Duration.ofSeconds(30),
              t -> runs.incrementAndGet());
      for (int i = 0; i < 50; i++) {
        d.trigger();
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() == 1);
      // a later change is a new burst
      d.trigger();
      await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() == 2);
      // nothing else was pending: the executor has no further work queued
      executor.submit(() -> {}).get();
      assertThat(runs.get()).isEqualTo(2);
    } finally {
      executor.shutdownNow();
    }
  }
}
