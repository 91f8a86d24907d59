package io.raftmesh.store.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.raftmesh.proto.v1.StoreResult;
import io.raftmesh.store.InvalidRequestException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * The reply to an applied entry, as Ratis carries it back to the proposer: one tag byte, then a
 * {@link StoreResult} (tag 0) or a refusal reason in UTF-8 (tag 1). A refusal decided at apply time
 * travels as a normal reply rather than a failed future, so it is not logged by Ratis as an apply
 * failure and cannot be mistaken for a storage fault.
 */
public final class Replies {
  private static final byte RESULT = 0;
  private static final byte REFUSED = 1;

  private Replies() {}

  static Message result(StoreResult result) {
    byte[] body = result.toByteArray();
    byte[] out = new byte[body.length + 1];
    out[0] = RESULT;
    System.arraycopy(body, 0, out, 1, body.length);
    return Message.valueOf(UnsafeByteOperations.unsafeWrap(out));
  }

  static Message refused(String reason) {
    byte[] body = reason.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[body.length + 1];
    out[0] = REFUSED;
    System.arraycopy(body, 0, out, 1, body.length);
    return Message.valueOf(UnsafeByteOperations.unsafeWrap(out));
  }

  /**
   * Decodes a reply.
   *
   * @throws InvalidRequestException when the store refused the command at apply time
   * @throws IllegalStateException when the reply is not one of ours
   */
  public static StoreResult decode(ByteBuffer reply) {
    if (!reply.hasRemaining()) {
      throw new IllegalStateException("empty reply from the store (expected: a tagged result)");
    }
    byte tag = reply.get();
    if (tag == REFUSED) {
      throw new InvalidRequestException(StandardCharsets.UTF_8.decode(reply).toString());
    }
    if (tag != RESULT) {
      throw new IllegalStateException("reply tag: " + tag + " (expected: 0 or 1)");
    }
    try {
      return StoreResult.parseFrom(reply);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("malformed StoreResult in a reply: " + e.getMessage(), e);
    }
  }
}
