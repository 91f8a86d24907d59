package io.raftmesh.server.store;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * A value with the time it was written: 8 bytes of epoch milliseconds (big-endian), then the
 * payload. Used for records that housekeeping expires by age (request ids, remembered answers).
 *
 * @param at when it was written (the proposing server's clock)
 * @param payload the value
 */
public record Stamped(Instant at, ByteString payload) {

  /** Encodes. */
  public ByteString encode() {
    ByteBuffer b = ByteBuffer.allocate(8);
    b.putLong(at.toEpochMilli());
    return ByteString.copyFrom(b.array()).concat(payload);
  }

  /**
   * Decodes.
   *
   * @throws IllegalArgumentException when the value is shorter than a stamp
   */
  public static Stamped decode(ByteString value) {
    if (value.size() < 8) {
      throw new IllegalArgumentException(
          "stamped value: " + value.size() + " bytes (expected: at least 8)");
    }
    long millis = value.substring(0, 8).asReadOnlyByteBuffer().getLong();
    return new Stamped(Instant.ofEpochMilli(millis), value.substring(8));
  }
}
