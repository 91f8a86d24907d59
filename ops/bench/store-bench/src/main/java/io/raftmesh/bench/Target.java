package io.raftmesh.bench;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A store under test, driven the same way whatever it is: one client object, many callers. */
interface Target extends AutoCloseable {
  /** Name for the report. */
  String name();

  /** Writes a key (a fresh idempotency key per call where the store has them). */
  CompletableFuture<?> put(byte[] key, byte[] value);

  /** Linearizable read of a key. */
  CompletableFuture<?> get(byte[] key);

  /** The process id of the current leader, if one is known. */
  Optional<Long> leaderPid() throws Exception;

  @Override
  void close();
}
