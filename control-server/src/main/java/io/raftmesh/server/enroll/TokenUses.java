package io.raftmesh.server.enroll;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.server.store.PrefixScan;
import io.raftmesh.server.store.ServerKeys;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;

/**
 * The consumed uses of one join token: a token of {@code max_uses} has that many slots, {@code
 * _tokenuses/<id>/<slot>}, and a use takes a free one (the write compares that it is absent). A
 * slot is taken exactly once, so a token can never be used more than {@code max_uses} times, and
 * concurrent enrollments with one token usually take different slots and do not conflict.
 *
 * @param count slots taken
 * @param taken the taken slot numbers
 * @param nodes the nodes that used the token
 * @param maxUses the number of slots
 */
record TokenUses(int count, Set<Integer> taken, Set<String> nodes, int maxUses) {

  /** The key of slot {@code slot} of token {@code tokenId}. */
  static ByteString key(String tokenId, int slot) {
    // Zero-padded to five digits so slots sort by number (String.format cost ~5% of an
    // enrollment's handler CPU in a profile).
    String digits = Integer.toString(slot);
    return ServerKeys.key(
        ServerKeys.TOKEN_USES,
        tokenId + "/" + "00000".substring(Math.min(5, digits.length())) + digits);
  }

  /** The prefix of token {@code tokenId}'s slots. */
  static ByteString prefix(String tokenId) {
    return ServerKeys.key(ServerKeys.TOKEN_USES, tokenId + "/");
  }

  static TokenUses read(
      StoreClient store, String tokenId, int maxUses, ReadConsistency reads, Duration timeout) {
    return of(PrefixScan.scan(store, prefix(tokenId), reads, maxUses + 1, timeout).kvs(), maxUses);
  }

  static TokenUses of(List<KeyValue> kvs, int maxUses) {
    Set<Integer> taken = new HashSet<>();
    Set<String> nodes = new HashSet<>();
    for (KeyValue kv : kvs) {
      String key = kv.getKey().toStringUtf8();
      taken.add(Integer.parseInt(key.substring(key.lastIndexOf('/') + 1)));
      nodes.add(kv.getValue().toStringUtf8());
    }
    return new TokenUses(kvs.size(), taken, nodes, maxUses);
  }

  /** A free slot chosen at random, or empty when the token is used up. */
  OptionalInt freeSlot(Random random) {
    if (count >= maxUses) {
      return OptionalInt.empty();
    }
    for (int i = 0; i < 16; i++) {
      int slot = random.nextInt(maxUses);
      if (!taken.contains(slot)) {
        return OptionalInt.of(slot);
      }
    }
    List<Integer> free = new ArrayList<>();
    for (int slot = 0; slot < maxUses; slot++) {
      if (!taken.contains(slot)) {
        free.add(slot);
      }
    }
    return free.isEmpty()
        ? OptionalInt.empty()
        : OptionalInt.of(free.get(random.nextInt(free.size())));
  }
}
