package io.raftmesh.chaos.model;

import static java.util.Objects.requireNonNull;

/**
 * A key's state as a delta or a read delivers it.
 *
 * @param key the key
 * @param value the value (for resources: a fingerprint of the resource without its revisions)
 * @param modRevision the revision of the key's last change
 */
public record Upsert(String key, String value, long modRevision) {
  /** Rejects nulls. */
  public Upsert {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
  }
}
