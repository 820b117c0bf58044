package dev.ambit.transport.hbone;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** {@link RelayCounters} keeping two totals; updates are allocation-free atomic adds. */
public final class ByteCounters implements RelayCounters {

  private static final VarHandle A_TO_B;
  private static final VarHandle B_TO_A;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      A_TO_B = lookup.findVarHandle(ByteCounters.class, "aToB", long.class);
      B_TO_A = lookup.findVarHandle(ByteCounters.class, "bToA", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // updated through A_TO_B
  private volatile long aToB;

  @SuppressWarnings("unused") // updated through B_TO_A
  private volatile long bToA;

  @Override
  public void aToB(int bytes) {
    A_TO_B.getAndAdd(this, (long) bytes);
  }

  @Override
  public void bToA(int bytes) {
    B_TO_A.getAndAdd(this, (long) bytes);
  }

  /** Total bytes moved from side A to side B. */
  public long aToBTotal() {
    return aToB;
  }

  /** Total bytes moved from side B to side A. */
  public long bToATotal() {
    return bToA;
  }
}
