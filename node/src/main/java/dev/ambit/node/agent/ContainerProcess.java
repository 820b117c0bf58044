package dev.ambit.node.agent;

import dev.ambit.node.net.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One container of a pod as a child process, restarted with exponential backoff (1 s doubling up to
 * 30 s, reset after 60 s of uptime) when it exits. Output goes to the pod's log file.
 */
final class ContainerProcess {
  private static final Logger log = LoggerFactory.getLogger(ContainerProcess.class);
  private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final Duration STABLE = Duration.ofSeconds(60);

  private final String description;
  private final List<String> command;
  private final Map<String, String> env;
  private final Path logFile;
  private final ScheduledExecutorService scheduler;
  private Process process;
  private long startedAt;
  private Duration backoff = FIRST_BACKOFF;
  private int restarts;
  private boolean stopped;

  ContainerProcess(
      String description,
      List<String> command,
      Map<String, String> env,
      Path logFile,
      ScheduledExecutorService scheduler) {
    this.description = description;
    this.command = List.copyOf(command);
    this.env = Map.copyOf(env);
    this.logFile = logFile;
    this.scheduler = scheduler;
  }

  synchronized void start() {
    if (stopped) {
      return;
    }
    try {
      Files.createDirectories(logFile.getParent());
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().putAll(env);
      process = pb.start();
      startedAt = System.nanoTime();
      log.info("{}: started pid {}: {}", description, process.pid(), String.join(" ", command));
      Process p = process;
      p.onExit().thenRun(() -> exited(p));
    } catch (IOException e) {
      log.warn("{}: cannot start {}: {}", description, command, e.getMessage());
      scheduleRestart();
    }
  }

  private synchronized void exited(Process p) {
    if (stopped || p != process) {
      return;
    }
    log.warn("{}: exited with status {}", description, p.exitValue());
    if (Duration.ofNanos(System.nanoTime() - startedAt).compareTo(STABLE) > 0) {
      backoff = FIRST_BACKOFF;
    }
    scheduleRestart();
  }

  private void scheduleRestart() {
    Duration delay = backoff;
    backoff =
        backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    restarts++;
    scheduler.schedule(this::start, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  synchronized boolean running() {
    return process != null && process.isAlive();
  }

  synchronized int restarts() {
    return restarts;
  }

  synchronized long pid() {
    return process == null ? -1 : process.pid();
  }

  /** Stops the process (TERM, then KILL after {@code grace}) and prevents restarts. */
  void stop(Duration grace) {
    Process p;
    synchronized (this) {
      stopped = true;
      p = process;
    }
    if (p != null && p.isAlive()) {
      List<Long> pids = new java.util.ArrayList<>();
      p.descendants().forEach(d -> pids.add(d.pid()));
      pids.add(p.pid());
      Processes.terminate(pids, grace);
    }
  }
}
