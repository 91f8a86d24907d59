package io.raftmesh.agent.config;

import java.util.List;

/**
 * The config file, environment or flags hold bad values. Each problem names the field path (or the
 * flag or variable) and what was expected, e.g. {@code services[1].health.interval: "10" (expected:
 * a duration with a unit, e.g. 10s)}.
 */
public final class InvalidConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /** One exception for every problem found (never empty). */
  public InvalidConfigException(List<String> problems) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Each problem, in file order. */
  public List<String> problems() {
    return problems;
  }
}
