package io.raftmesh.agent.identity;

import static java.util.Objects.requireNonNull;

import java.security.PrivateKey;

/**
 * An enrollment that was sent and may have succeeded on the server: retrying it with the same
 * request id returns the certificate issued the first time instead of using the token again.
 *
 * @param tokenId the join token's public id
 * @param requestId the idempotency key sent
 * @param csrPem the CSR sent
 * @param key the CSR's private key
 */
public record PendingEnrollment(String tokenId, String requestId, String csrPem, PrivateKey key) {
  /** Requires every part. */
  public PendingEnrollment {
    requireNonNull(tokenId, "tokenId");
    requireNonNull(requestId, "requestId");
    requireNonNull(csrPem, "csrPem");
    requireNonNull(key, "key");
  }

  @Override
  public String toString() {
    return "PendingEnrollment{token_id=" + tokenId + ", request_id=" + requestId + ", key=...}";
  }
}
