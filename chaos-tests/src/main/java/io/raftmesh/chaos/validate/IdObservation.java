package io.raftmesh.chaos.validate;

import static java.util.Objects.requireNonNull;

/**
 * An id seen in a run, e.g. a certificate serial.
 *
 * @param id the id that must be unique (the serial)
 * @param issuance what it identifies (e.g. the certificate's SHA-256): the same issuance seen twice
 *     is one id, two different issuances with one id are a duplicate
 * @param source where it was seen, for reports ({@code op 1234}, {@code listing})
 */
public record IdObservation(String id, String issuance, String source) {
  /** Rejects nulls. */
  public IdObservation {
    requireNonNull(id, "id");
    requireNonNull(issuance, "issuance");
    requireNonNull(source, "source");
  }
}
