package io.raftmesh.store;

/** A running watch on the local replica. Closing it stops deliveries (idempotent). */
public interface Watch extends AutoCloseable {
  /** The revision of the last change delivered (the start revision before the first). */
  long deliveredRevision();

  /** Whether the watch has ended (closed, compacted or failed). */
  boolean isClosed();

  @Override
  void close();
}
