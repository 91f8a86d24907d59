package io.raftmesh.agent.proxy.metrics;

import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * W3C Trace Context ({@code traceparent}) propagation: each proxy hop is a new span. A valid
 * incoming header keeps its trace id and flags and gets a new parent (span) id; a missing or
 * malformed one starts a new, sampled trace.
 */
public final class Traceparent {
  /** The header name. */
  public static final String HEADER = "traceparent";

  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final int LENGTH = 55; // 00-<32>-<16>-<2>

  private Traceparent() {}

  /** The traceparent to send upstream for a request that arrived with {@code incoming}. */
  public static String nextHop(@Nullable CharSequence incoming) {
    char[] out = new char[LENGTH];
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    out[0] = '0';
    out[1] = '0';
    out[2] = '-';
    out[35] = '-';
    out[52] = '-';
    if (incoming != null && isValid(incoming)) {
      for (int i = 3; i < 35; i++) {
        out[i] = incoming.charAt(i);
      }
      out[53] = incoming.charAt(53);
      out[54] = incoming.charAt(54);
    } else {
      writeHex(out, 3, rnd.nextLong() | 1L);
      writeHex(out, 19, rnd.nextLong());
      out[53] = '0';
      out[54] = '1';
    }
    writeHex(out, 36, rnd.nextLong() | 1L);
    return new String(out);
  }

  /** The trace id of a header produced by {@link #nextHop}. */
  public static String traceId(String traceparent) {
    return traceparent.substring(3, 35);
  }

  /** Whether {@code v} is a well-formed version-00 traceparent with non-zero ids. */
  static boolean isValid(CharSequence v) {
    if (v.length() != LENGTH
        || v.charAt(0) != '0'
        || v.charAt(1) != '0'
        || v.charAt(2) != '-'
        || v.charAt(35) != '-'
        || v.charAt(52) != '-') {
      return false;
    }
    boolean traceNonZero = false;
    boolean spanNonZero = false;
    for (int i = 3; i < LENGTH; i++) {
      if (i == 35 || i == 52) {
        continue;
      }
      char c = v.charAt(i);
      boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      if (!hex) {
        return false;
      }
      if (c != '0' && i < 35) {
        traceNonZero = true;
      } else if (c != '0' && i > 35 && i < 52) {
        spanNonZero = true;
      }
    }
    return traceNonZero && spanNonZero;
  }

  private static void writeHex(char[] out, int at, long v) {
    for (int i = 15; i >= 0; i--) {
      out[at + i] = HEX[(int) (v & 0xf)];
      v >>>= 4;
    }
  }
}
