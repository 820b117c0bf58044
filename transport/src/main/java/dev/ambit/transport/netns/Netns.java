package dev.ambit.transport.netns;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs code with the current thread inside another network namespace ({@code setns(2)} through
 * {@code java.lang.foreign}), then switches back. Sockets keep the namespace they were created in,
 * so creating a socket inside {@link #run} gives a socket of that namespace usable from any thread.
 *
 * <p>{@link #open} keeps a namespace open, so that switching into it costs two {@code setns} calls
 * and no path lookup: what a proxy creating a socket per connection wants. Each thread keeps its
 * own namespace open too, to switch back to, once it has switched for the first time.
 *
 * <p>Only platform threads can switch; calls from a virtual thread are carried out on a dedicated
 * platform thread (and the virtual thread waits). Keep the body short: just the socket creation. A
 * thread started in the body (a virtual thread's carrier too) is born in the namespace and stays.
 * Needs CAP_SYS_ADMIN and {@code --enable-native-access}.
 */
public final class Netns {

  private static final int CLONE_NEWNET = 0x40000000;
  private static final int O_RDONLY = 0;
  private static final int O_CLOEXEC = 0x80000;
  private static final Path SELF = Path.of("/proc/thread-self/ns/net");

  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
  private static final MethodHandle OPEN;
  private static final MethodHandle CLOSE;
  private static final MethodHandle SETNS;
  private static final MethodHandle STRERROR;

  static {
    Linker linker = Linker.nativeLinker();
    var libc = linker.defaultLookup();
    Linker.Option errno = Linker.Option.captureCallState("errno");
    OPEN =
        linker.downcallHandle(
            libc.find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            errno);
    CLOSE =
        linker.downcallHandle(
            libc.find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    SETNS =
        linker.downcallHandle(
            libc.find("setns").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            errno);
    STRERROR =
        linker.downcallHandle(
            libc.find("strerror").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
  }

  private static final ExecutorService CARRIER =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = Thread.ofPlatform().daemon().name("ambit-netns").unstarted(r);
            return t;
          });

  /** Closes a thread's own namespace descriptor once the thread is gone. */
  private static final Cleaner CLEANER = Cleaner.create();

  private static final ThreadLocal<Switcher> SWITCHER = new ThreadLocal<>();

  private Netns() {}

  /**
   * Calls {@code body} with the current thread in the network namespace {@code netns} (e.g. {@code
   * /var/run/netns/NAME} or {@code /proc/PID/ns/net}) and switches back before returning, also on
   * failure. A null {@code netns} runs {@code body} in place.
   *
   * @throws NetnsException when the namespace cannot be entered (or, fatally for the thread, left)
   */
  public static <T> T run(Path netns, Callable<T> body) throws Exception {
    if (netns == null) {
      return body.call();
    }
    try (Handle handle = open(netns)) {
      return handle.run(body);
    }
  }

  /**
   * Opens the network namespace {@code netns} for {@link Handle#run}; it stays open (and the
   * namespace alive) until the handle is closed.
   *
   * @throws NetnsException when it cannot be opened
   */
  public static Handle open(Path netns) {
    try (Arena arena = Arena.ofConfined()) {
      return new Handle(netns, open(arena, arena.allocate(CAPTURE), netns));
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** An open network namespace. Thread-safe; closing waits for no one but takes effect last. */
  public static final class Handle implements AutoCloseable {
    private final Path path;
    private final int fd;
    private final AtomicInteger users = new AtomicInteger(1); // the owner counts until close()
    private final AtomicBoolean closed = new AtomicBoolean();

    private Handle(Path path, int fd) {
      this.path = path;
      this.fd = fd;
    }

    /** The namespace file this handle opened. */
    public Path path() {
      return path;
    }

    /**
     * Calls {@code body} with the current thread in this namespace and switches back before
     * returning, also on failure.
     *
     * @throws NetnsException when the handle is closed or the namespace cannot be entered (or,
     *     fatally for the thread, left)
     */
    public <T> T run(Callable<T> body) throws Exception {
      acquire();
      try {
        if (Thread.currentThread().isVirtual()) {
          Future<T> result = CARRIER.submit(() -> switched(this, body));
          try {
            return result.get();
          } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
          }
        }
        return switched(this, body);
      } finally {
        release();
      }
    }

    private void acquire() {
      for (int n = users.get(); ; n = users.get()) {
        if (n == 0) {
          throw new NetnsException("network namespace " + path + " is closed");
        }
        if (users.compareAndSet(n, n + 1)) {
          return;
        }
      }
    }

    private void release() {
      if (users.decrementAndGet() == 0) {
        closeFd(fd);
      }
    }

    /** Closes the namespace once no {@link #run} uses it any more; later runs fail. */
    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        release();
      }
    }

    @Override
    public String toString() {
      return "Netns[" + path + "]";
    }
  }

  /**
   * A thread's switching state: its own namespace (opened the first time it switches, closed when
   * the thread is gone), the namespace it is in now, and where {@code setns} reports its errno.
   */
  private static final class Switcher {
    final MemorySegment state = Arena.ofAuto().allocate(CAPTURE);
    final int home;
    int current;

    Switcher() throws Throwable {
      try (Arena arena = Arena.ofConfined()) {
        home = open(arena, state, SELF);
      }
      current = home;
      int fd = home;
      CLEANER.register(Thread.currentThread(), () -> closeFd(fd));
    }

    static Switcher current() throws Throwable {
      Switcher s = SWITCHER.get();
      if (s == null) {
        s = new Switcher();
        SWITCHER.set(s);
      }
      return s;
    }
  }

  private static <T> T switched(Handle target, Callable<T> body) throws Exception {
    try {
      Switcher s = Switcher.current();
      int previous = s.current;
      setns(s.state, target.fd, target.path);
      s.current = target.fd;
      try {
        return body.call();
      } finally {
        setns(s.state, previous, SELF);
        s.current = previous;
      }
    } catch (Exception | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private static void closeFd(int fd) {
    try {
      int rc = (int) CLOSE.invokeExact(fd);
      assert rc == 0 : "close(" + fd + ") failed";
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private static int open(Arena arena, MemorySegment state, Path path) throws Throwable {
    int fd =
        (int) OPEN.invokeExact(state, arena.allocateFrom(path.toString()), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      throw new NetnsException("cannot open network namespace " + path + ": " + error(state));
    }
    return fd;
  }

  private static void setns(MemorySegment state, int fd, Path path) throws Throwable {
    int rc = (int) SETNS.invokeExact(state, fd, CLONE_NEWNET);
    if (rc != 0) {
      throw new NetnsException("setns into " + path + " failed: " + error(state));
    }
  }

  private static String error(MemorySegment state) throws Throwable {
    int errno = (int) ERRNO.get(state, 0L);
    MemorySegment message = (MemorySegment) STRERROR.invokeExact(errno);
    return message.reinterpret(1024).getString(0) + " (errno " + errno + ")";
  }
}
