package io.raftmesh.server.enroll;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.KeyValue;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenUsesTest {
  @Test
  void slotKeysAreZeroPaddedSoTheySortByNumber() {
    assertThat(TokenUses.key("t1", 7).toStringUtf8()).endsWith("t1/00007");
    assertThat(TokenUses.key("t1", 9999).toStringUtf8()).endsWith("t1/09999");
    assertThat(TokenUses.key("t1", 0).toStringUtf8()).endsWith("t1/00000");
    assertThat(TokenUses.key("t1", 10).toStringUtf8())
        .isGreaterThan(TokenUses.key("t1", 9).toStringUtf8());
    assertThat(TokenUses.key("t1", 3).startsWith(TokenUses.prefix("t1"))).isTrue();
  }

  @Test
  void freeSlotNeverPicksATakenOneAndIsEmptyWhenUsedUp() {
    List<KeyValue> taken = List.of(use("t1", 0, "a"), use("t1", 1, "b"), use("t1", 3, "c"));
    TokenUses uses = TokenUses.of(taken, 4);
    assertThat(uses.nodes()).containsExactlyInAnyOrder("a", "b", "c");
    Random random = new Random(1);
    for (int i = 0; i < 50; i++) {
      assertThat(uses.freeSlot(random)).isEqualTo(OptionalInt.of(2));
    }
    assertThat(TokenUses.of(taken, 3).freeSlot(random)).isEmpty();
  }

  private static KeyValue use(String token, int slot, String node) {
    return KeyValue.newBuilder()
        .setKey(TokenUses.key(token, slot))
        .setValue(ByteString.copyFromUtf8(node))
        .build();
  }
}
