package io.raftmesh.store.statemachine;

import io.raftmesh.proto.v1.QueryResult;
import io.raftmesh.proto.v1.StoreQuery;
import io.raftmesh.store.InvalidRequestException;
import io.raftmesh.store.rocks.ReadView;
import io.raftmesh.store.rocks.RocksStore;
import io.raftmesh.store.rocks.StoreState;

/** Answers a {@link StoreQuery} from one consistent view of a replica's store. */
public final class Queries {
  private Queries() {}

  /** The answer to {@code query}; every part of it reflects the same revision. */
  public static QueryResult answer(RocksStore store, StoreQuery query) {
    try (ReadView view = store.openView()) {
      StoreState state = view.state();
      QueryResult.Builder result =
          QueryResult.newBuilder()
              .setRevision(state.revision())
              .setCompactRevision(state.compactRevision())
              .setAppliedIndex(state.appliedIndex());
      switch (query.getQueryCase()) {
        case GET -> {
          if (query.getGet().getKey().isEmpty()) {
            throw new InvalidRequestException("get.key: empty (expected: 1..4096 bytes)");
          }
          view.get(query.getGet().getKey()).ifPresent(result::setKv);
        }
        case RANGE -> {
          if (query.getRange().getKey().isEmpty()) {
            throw new InvalidRequestException("range.key: empty (expected: 1..4096 bytes)");
          }
          if (query.getRange().getLimit() < 0) {
            throw new InvalidRequestException(
                "range.limit: " + query.getRange().getLimit() + " (expected: >= 0)");
          }
          result.setRange(view.range(query.getRange()));
        }
        case CHANGES -> {
          if (query.getChanges().getAfterRevision() < 0) {
            throw new InvalidRequestException(
                "changes.after_revision: "
                    + query.getChanges().getAfterRevision()
                    + " (expected: >= 0)");
          }
          result.setChanges(
              view.changes(
                  query.getChanges().getAfterRevision(), (int) query.getChanges().getLimit()));
        }
        case STATUS -> {
          // revision, floor and applied index are already set
        }
        case REQUEST ->
            view.request(query.getRequest().getRequestId()).ifPresent(result::setRequest);
        case QUERY_NOT_SET ->
            throw new InvalidRequestException(
                "query: not set (expected: get, range, changes, status or request)");
      }
      return result.build();
    }
  }
}
