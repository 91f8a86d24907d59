package io.raftmesh.agent.health;

import io.raftmesh.agent.config.LocalServiceConfig;

/** One check of a local application. */
@FunctionalInterface
public interface HealthProbe {

  /**
   * The outcome of one check.
   *
   * @param passed whether it passed
   * @param detail what was seen, e.g. {@code GET /healthz: 503} or {@code connect: refused}
   */
  record Result(boolean passed, String detail) {}

  /** Checks {@code service} once, within its configured timeout; never throws. */
  Result check(LocalServiceConfig service);
}
