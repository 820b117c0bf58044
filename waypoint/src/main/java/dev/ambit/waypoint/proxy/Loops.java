package dev.ambit.waypoint.proxy;

import io.netty.util.concurrent.EventExecutor;

/** Running work on an event loop. */
final class Loops {

  private Loops() {}

  /** Runs {@code task} now when called on {@code loop}, else queues it there. */
  static void run(EventExecutor loop, Runnable task) {
    if (loop.inEventLoop()) {
      task.run();
    } else {
      loop.execute(task);
    }
  }
}
