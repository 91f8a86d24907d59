package io.raftmesh.server.store;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.proto.v1.QueryResult;
import io.raftmesh.proto.v1.RangeQuery;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Blocking reads for request handlers: one key, or every key under a prefix in pages. Each page is
 * read with the given consistency, so pages may reflect different revisions; callers that write
 * what they read guard the write with compares on the revisions they saw.
 */
public final class PrefixScan {
  private static final int PAGE = 1000;

  private PrefixScan() {}

  /** Every key under {@code prefix} (at most {@code max}), in key order. */
  public static Page scan(
      StoreClient store,
      ByteString prefix,
      ReadConsistency consistency,
      int max,
      Duration timeout) {
    ByteString end = ServerKeys.prefixEnd(prefix);
    List<KeyValue> out = new ArrayList<>();
    ByteString from = prefix;
    long revision = 0;
    while (out.size() < max) {
      QueryResult r =
          await(
              store.range(
                  RangeQuery.newBuilder()
                      .setKey(from)
                      .setRangeEnd(end)
                      .setLimit(Math.min(PAGE, max - out.size()))
                      .build(),
                  consistency),
              timeout);
      revision = Math.max(revision, r.getRevision());
      List<KeyValue> kvs = r.getRange().getKvsList();
      out.addAll(kvs);
      if (!r.getRange().getMore() || kvs.isEmpty()) {
        return new Page(out, revision, false);
      }
      from = kvs.get(kvs.size() - 1).getKey().concat(ByteString.copyFrom(new byte[] {0}));
    }
    return new Page(out, revision, true);
  }

  /**
   * A read barrier: one linearizable read (a single ReadIndex round), after which reads of the
   * local replica at the returned consistency reflect every write acknowledged before this call. An
   * operation that reads several keys pays for one ReadIndex instead of one per key.
   */
  public static ReadConsistency barrier(StoreClient store, Duration timeout) {
    QueryResult r = get(store, ServerKeys.CONFIG_MARKER, ReadConsistency.LINEARIZABLE, timeout);
    return ReadConsistency.stale(r.getRevision());
  }

  /**
   * Makes followers learn the newest commit now. Ratis tells followers about a new commit index
   * with the next append or heartbeat (every half election timeout when idle), but a ReadIndex
   * round makes the leader send heartbeats at once; so after a write that agents see, one
   * linearizable read lets every follower apply it, and stream it, within a round trip. Fire and
   * forget: a failure only means followers learn it at the next heartbeat.
   */
  @SuppressWarnings("FutureReturnValueIgnored") // fire and forget, on purpose (see above)
  public static void announceCommit(StoreClient store) {
    store.get(ServerKeys.CONFIG_MARKER, ReadConsistency.LINEARIZABLE).exceptionally(e -> null);
  }

  /** One key; the result's {@code kv} is unset when it does not exist. */
  public static QueryResult get(
      StoreClient store, ByteString key, ReadConsistency consistency, Duration timeout) {
    return await(store.get(key, consistency), timeout);
  }

  /**
   * Waits for a store future, rethrowing its failure (a {@code StoreException} or whatever the
   * future failed with) unwrapped, so the gRPC error mapping sees the real cause.
   */
  public static <T> T await(CompletableFuture<T> future, Duration timeout) {
    try {
      // The store enforces its own deadline; this one only guards against a lost future.
      return future.get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      while (cause instanceof java.util.concurrent.CompletionException
          && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(cause.toString(), cause);
    } catch (TimeoutException e) {
      future.cancel(false);
      throw new io.raftmesh.store.StoreTimeoutException(
          "no answer from the store within " + timeout.toMillis() + "ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new io.raftmesh.store.StoreUnavailableException("interrupted while waiting", e);
    }
  }

  /**
   * Keys read by a scan.
   *
   * @param kvs the keys, in key order
   * @param revision the newest revision any page reflected
   * @param truncated more keys exist beyond {@code max}
   */
  public record Page(List<KeyValue> kvs, long revision, boolean truncated) {
    /** Copies the list. */
    public Page {
      kvs = List.copyOf(kvs);
    }
  }
}
