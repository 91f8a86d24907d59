package io.raftmesh.chaos.failpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * Applies nemesis operations to a cluster. Invariant: after {@link #healAll()} no fault remains
 * (network healed, paused nodes resumed, killed nodes started).
 */
public interface Nemesis {
  /** Applies one operation and returns what it actually did (resolved targets), for the history. */
  JsonNode apply(NemesisOp op) throws IOException;

  /** Removes every fault this nemesis injected. */
  JsonNode healAll() throws IOException;
}
