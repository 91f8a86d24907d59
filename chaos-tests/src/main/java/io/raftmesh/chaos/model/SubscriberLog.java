package io.raftmesh.chaos.model;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Everything one subscriber received, across reconnects (to any server).
 *
 * @param subscriber a name for reports
 * @param keyPrefixes the keys it subscribed to, by prefix (empty: every key)
 * @param streams its streams, in the order it opened them
 */
public record SubscriberLog(
    String subscriber, List<String> keyPrefixes, List<DeltaStream> streams) {
  /** Copies the lists. */
  public SubscriberLog {
    requireNonNull(subscriber, "subscriber");
    keyPrefixes = List.copyOf(keyPrefixes);
    streams = List.copyOf(streams);
  }

  /** Whether this subscriber receives changes to {@code key}. */
  public boolean wants(String key) {
    if (keyPrefixes.isEmpty()) {
      return true;
    }
    for (String p : keyPrefixes) {
      if (key.startsWith(p)) {
        return true;
      }
    }
    return false;
  }
}
