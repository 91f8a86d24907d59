package io.raftmesh.server.rpc;

import java.util.List;

/**
 * An error about fields of a request, each with its path: {@link StatusMapping} answers it with
 * INVALID_ARGUMENT and {@code google.rpc.BadRequest} field violations.
 */
public interface FieldErrors {
  /** One field and what is wrong with it. */
  record FieldError(String field, String description) {}

  /** The fields in error, in the order found. */
  List<FieldError> fieldErrors();
}
