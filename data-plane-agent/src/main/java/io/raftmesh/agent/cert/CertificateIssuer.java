package io.raftmesh.agent.cert;

import io.raftmesh.proto.v1.CertificateResponse;

/**
 * Asks the control plane for a certificate (RenewNode or SignWorkload, against any server). Must
 * send {@code requestId} so a retry after a lost answer gets the certificate issued the first time.
 */
@FunctionalInterface
public interface CertificateIssuer {
  /**
   * Requests a certificate for the key of {@code csrPem}.
   *
   * @throws io.raftmesh.agent.control.ControlPlaneException when no server issued it
   * @throws InterruptedException when interrupted while retrying
   */
  CertificateResponse issue(String csrPem, String requestId) throws InterruptedException;
}
