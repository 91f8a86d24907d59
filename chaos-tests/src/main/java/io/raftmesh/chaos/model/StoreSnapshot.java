package io.raftmesh.chaos.model;

import java.util.Map;

/**
 * A linearizable read of the whole store (the final read after healing).
 *
 * @param revision the revision the read reflects
 * @param values every key's state at that revision
 */
public record StoreSnapshot(long revision, Map<String, Upsert> values) {
  /** Copies the map. */
  public StoreSnapshot {
    values = Map.copyOf(values);
  }
}
