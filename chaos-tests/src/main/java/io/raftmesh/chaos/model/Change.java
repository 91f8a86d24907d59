package io.raftmesh.chaos.model;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * One committed change to one key, at the global revision that committed it. A transaction that
 * changes several keys yields several changes with the same revision.
 *
 * @param revision the store revision (from 1)
 * @param key the key
 * @param value the new value, or {@code null} for a removal
 */
public record Change(long revision, String key, @Nullable String value) {
  /** Validates the revision and key. */
  public Change {
    requireNonNull(key, "key");
    if (revision < 1) {
      throw new IllegalArgumentException("revision: " + revision + " (expected: >= 1)");
    }
  }

  /** Whether this change removes the key. */
  public boolean isRemoval() {
    return value == null;
  }
}
