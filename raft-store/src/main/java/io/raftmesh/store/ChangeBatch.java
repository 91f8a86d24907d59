package io.raftmesh.store;

import io.raftmesh.proto.v1.ChangeRecord;
import java.util.List;

/** The answer to {@link StoreMember#changesSince}: the changes, or the news that they are gone. */
public sealed interface ChangeBatch {
  /** The replica's revision when it answered. */
  long revision();

  /**
   * Change records after the requested revision, oldest first and without gaps.
   *
   * @param records the records (possibly none)
   * @param more more records follow the last one
   * @param revision the replica's revision
   */
  record Changes(List<ChangeRecord> records, boolean more, long revision) implements ChangeBatch {
    /** Copies the list. */
    public Changes {
      records = List.copyOf(records);
    }
  }

  /**
   * The requested revision is below the floor: read everything at {@code revision}, then ask for
   * changes after it.
   *
   * @param compactRevision the floor
   * @param revision the replica's revision
   */
  record Compacted(long compactRevision, long revision) implements ChangeBatch {}
}
