package io.raftmesh.agent.cert;

/** The two kinds of certificate the agent keeps fresh (a bounded metric label). */
public enum CertificateKind {
  /** The node's own identity, {@code spiffe://<td>/node/<name>}, for talking to servers. */
  NODE,
  /** A local service's identity, {@code spiffe://<td>/ns/<ns>/sa/<svc>}, for the proxy. */
  WORKLOAD;

  /** The metric label value. */
  public String label() {
    return this == NODE ? "node" : "workload";
  }
}
