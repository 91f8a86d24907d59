package io.raftmesh.server.telemetry;

import static java.util.Objects.requireNonNull;

import io.raftmesh.proto.v1.QueryResult;
import io.raftmesh.server.config.Endpoints;
import io.raftmesh.server.store.PrefixScan;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreClient;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Whether a node hosts a service, from the Endpoint resources agents register: the local replica
 * first (no Raft round trip for the common case), then a linearizable read for an endpoint
 * registered through another server a moment ago. A "yes" is remembered for a while, so a node
 * reporting every few seconds costs a store read about once a minute per service; a "no" is never
 * remembered.
 */
final class HostedServices {
  private static final Duration REMEMBER = Duration.ofSeconds(60);
  private static final int MAX_REMEMBERED = 100_000;

  private record Key(String node, String service) {}

  private final StoreClient store;
  private final Clock clock;
  private final Duration timeout;
  private final ConcurrentMap<Key, Long> confirmedUntil = new ConcurrentHashMap<>();

  HostedServices(StoreClient store, Clock clock, Duration timeout) {
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
    this.timeout = requireNonNull(timeout, "timeout");
  }

  /**
   * Whether {@code node} has an endpoint of {@code service} ({@code namespace/name}).
   *
   * @throws RuntimeException when the store cannot be read (the caller answers UNAVAILABLE)
   */
  boolean hosts(String node, String service) {
    Key key = new Key(node, service);
    long now = clock.millis();
    Long until = confirmedUntil.get(key);
    if (until != null && until > now) {
      return true;
    }
    int slash = service.indexOf('/');
    var endpoint = Endpoints.key(service.substring(0, slash), service.substring(slash + 1), node);
    QueryResult r = PrefixScan.get(store, endpoint, ReadConsistency.stale(0), timeout);
    if (!r.hasKv()) {
      r = PrefixScan.get(store, endpoint, ReadConsistency.LINEARIZABLE, timeout);
    }
    if (!r.hasKv()) {
      confirmedUntil.remove(key);
      return false;
    }
    if (confirmedUntil.size() >= MAX_REMEMBERED) {
      confirmedUntil.clear(); // bounded: forgetting only costs a read
    }
    confirmedUntil.put(key, now + REMEMBER.toMillis());
    return true;
  }
}
