package io.raftmesh.server.config;

import io.raftmesh.server.rpc.FieldErrors;
import java.util.List;

/** One or more resources broke the rules; nothing was written. */
public final class InvalidResourceException extends RuntimeException implements FieldErrors {
  private static final long serialVersionUID = 1L;

  private final transient List<Violations.Violation> violations;

  /** Wraps the failures; the message lists them one per line. */
  public InvalidResourceException(List<Violations.Violation> violations) {
    super(join(violations));
    this.violations = List.copyOf(violations);
  }

  /** The failures, each with its field path. */
  public List<Violations.Violation> violations() {
    return violations;
  }

  @Override
  public List<FieldError> fieldErrors() {
    return violations.stream().map(v -> new FieldError(v.field(), v.description())).toList();
  }

  private static String join(List<Violations.Violation> violations) {
    StringBuilder sb = new StringBuilder();
    for (Violations.Violation v : violations) {
      if (sb.length() > 0) {
        sb.append('\n');
      }
      sb.append(v);
    }
    return sb.toString();
  }
}
