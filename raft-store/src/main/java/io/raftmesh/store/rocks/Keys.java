package io.raftmesh.store.rocks;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** How keys of the column families are encoded. Revisions sort as unsigned big-endian longs. */
final class Keys {
  /** The meta column family holds one record under this key: the {@link StoreState}. */
  static final byte[] STATE = "state".getBytes(StandardCharsets.US_ASCII);

  /** A range end of a single zero byte means "to the end of the key space" (as in etcd). */
  static final ByteString TO_END = ByteString.copyFrom(new byte[] {0});

  private Keys() {}

  static byte[] revision(long revision) {
    return ByteBuffer.allocate(Long.BYTES).putLong(revision).array();
  }

  static long revisionOf(byte[] key) {
    return ByteBuffer.wrap(key).getLong();
  }

  /** Expiry index key: the time the request id was first applied, then the id. */
  static byte[] expiry(long appliedAtMillis, String requestId) {
    byte[] id = requestId.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(Long.BYTES + id.length).putLong(appliedAtMillis).put(id).array();
  }

  static long expiryTime(byte[] key) {
    return ByteBuffer.wrap(key).getLong();
  }

  static String expiryRequestId(byte[] key) {
    return new String(key, Long.BYTES, key.length - Long.BYTES, StandardCharsets.UTF_8);
  }

  static byte[] requestId(String requestId) {
    return requestId.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Whether {@code key} lies in the range that {@code start} and {@code end} describe: only {@code
   * start} when {@code end} is empty, everything from {@code start} when {@code end} is {@link
   * #TO_END}, else [start, end).
   */
  static boolean inRange(ByteString key, ByteString start, ByteString end) {
    if (end.isEmpty()) {
      return key.equals(start);
    }
    if (ByteString.unsignedLexicographicalComparator().compare(key, start) < 0) {
      return false;
    }
    return end.equals(TO_END)
        || ByteString.unsignedLexicographicalComparator().compare(key, end) < 0;
  }

  /** Whether an iterator positioned at {@code key} has passed the exclusive end of a range. */
  static boolean pastEnd(byte[] key, ByteString start, ByteString end) {
    if (end.isEmpty()) {
      return !Arrays.equals(key, start.toByteArray());
    }
    if (end.equals(TO_END)) {
      return false;
    }
    return ByteString.unsignedLexicographicalComparator().compare(ByteString.copyFrom(key), end)
        >= 0;
  }
}
