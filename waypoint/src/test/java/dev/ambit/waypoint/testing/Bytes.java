package dev.ambit.waypoint.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Deterministic test bodies of any size, and their checksums, without holding them in memory. */
public final class Bytes {

  private Bytes() {}

  /** {@code n} bytes of the pattern starting at {@code offset}. */
  public static byte[] pattern(long offset, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      long p = offset + i;
      b[i] = (byte) (p * 31 + (p >>> 11));
    }
    return b;
  }

  /** SHA-256 (hex) of the first {@code size} bytes of the pattern. */
  public static String patternSha256(long size) {
    MessageDigest d = sha256();
    for (long off = 0; off < size; off += 1 << 16) {
      d.update(pattern(off, (int) Math.min(1 << 16, size - off)));
    }
    return HexFormat.of().formatHex(d.digest());
  }

  /** SHA-256 (hex) and length of what {@code in} yields, read in small pieces. */
  public static String sha256(InputStream in, long[] length) {
    MessageDigest d = sha256();
    byte[] buf = new byte[1 << 16];
    long total = 0;
    try (in) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        d.update(buf, 0, n);
        total += n;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    length[0] = total;
    return HexFormat.of().formatHex(d.digest());
  }

  /**
   * The pattern as a stream of {@code size} bytes; before byte {@code pauseAt} it runs {@code
   * pause} once (a test uses it to wait for the other side).
   */
  public static InputStream patternStream(long size, long pauseAt, Runnable pause) {
    return new InputStream() {
      private long pos;
      private boolean paused;

      @Override
      public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (pos >= size) {
          return -1;
        }
        if (pos >= pauseAt && !paused) {
          paused = true;
          pause.run();
        }
        long limit = pos < pauseAt ? pauseAt : size;
        int n = (int) Math.min(len, limit - pos);
        System.arraycopy(pattern(pos, n), 0, b, off, n);
        pos += n;
        return n;
      }
    };
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
