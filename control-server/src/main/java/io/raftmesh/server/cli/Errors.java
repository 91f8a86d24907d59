package io.raftmesh.server.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** One clear line for a failure: what the server said, never a stack trace. */
final class Errors {

  private Errors() {}

  static String describe(Throwable e) {
    Throwable t = e;
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof StatusRuntimeException sre) {
      Status s = sre.getStatus();
      String d = s.getDescription();
      return s.getCode() + (d == null || d.isEmpty() ? "" : ": " + d);
    }
    String m = t.getMessage();
    return m == null || m.isEmpty() ? t.getClass().getSimpleName() : m;
  }
}
