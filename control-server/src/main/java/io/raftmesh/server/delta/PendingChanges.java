package io.raftmesh.server.delta;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.ChangeRecord;
import io.raftmesh.proto.v1.Delta;
import io.raftmesh.proto.v1.KeyChange;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.server.config.ResourceKeys;
import io.raftmesh.server.config.StoredResources;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What one subscriber has not been sent yet: the changes in (base, covered], folded to the newest
 * change per key. Its size is bounded by the number of keys, never by the number of revisions, so a
 * slow subscriber is coalesced rather than queued. Records must be added in revision order with no
 * gap; whole records are folded, so a revision is never split between deltas. Not thread-safe.
 */
final class PendingChanges {

  private final Map<ByteString, KeyChange> byKey = new LinkedHashMap<>();
  private final Predicate<ResourceKey> visible;
  private long base;
  private long covered;

  /**
   * Starts empty, covering nothing after {@code base} (the subscriber's resume revision).
   *
   * @param visible which resources this subscriber may receive
   */
  PendingChanges(long base, Predicate<ResourceKey> visible) {
    this.base = base;
    this.covered = base;
    this.visible = visible;
  }

  /**
   * Folds one change-log record in.
   *
   * @throws IllegalStateException when the record does not directly follow what is covered (which
   *     would be a gap or a repeat in the feed)
   */
  void add(ChangeRecord record) {
    if (record.getRevision() <= covered) {
      throw new IllegalStateException(
          "revision "
              + record.getRevision()
              + " after covered "
              + covered
              + " (expected: increasing)");
    }
    for (KeyChange change : record.getChangesList()) {
      Optional<ResourceKey> key = ResourceKeys.parse(change.getKv().getKey().toByteArray());
      if (key.isPresent() && visible.test(key.get())) {
        byKey.remove(change.getKv().getKey());
        byKey.put(change.getKv().getKey(), change);
      }
    }
    covered = record.getRevision();
  }

  /**
   * Declares that nothing changed in (covered, revision]: the store advanced through revisions that
   * touched only keys this subscriber does not see, or the caller knows from a read at {@code
   * revision} that the feed is complete up to it.
   */
  void advanceTo(long revision) {
    if (revision > covered) {
      covered = revision;
    }
  }

  /** Whether any visible change is waiting. */
  boolean hasChanges() {
    return !byKey.isEmpty();
  }

  /** The revision up to which changes are folded in. */
  long covered() {
    return covered;
  }

  /** The revision the next delta starts after. */
  long base() {
    return base;
  }

  /**
   * Builds the delta for (base, covered] and starts the next one after it. Upserts carry each
   * resource's newest state with its revisions; deletes become removals.
   */
  Delta drain(String serverId) {
    Delta.Builder d =
        Delta.newBuilder().setPreviousRevision(base).setRevision(covered).setServerId(serverId);
    for (KeyChange change : byKey.values()) {
      if (change.getKind() == KeyChange.Kind.PUT) {
        StoredResources.decode(change.getKv()).ifPresent(d::addUpserts);
      } else {
        ResourceKeys.parse(change.getKv().getKey().toByteArray()).ifPresent(d::addRemovals);
      }
    }
    byKey.clear();
    base = covered;
    return d.build();
  }
}
