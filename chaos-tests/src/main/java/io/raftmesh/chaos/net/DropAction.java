package io.raftmesh.chaos.net;

/** What a partition rule does to a packet from a node it cuts off. */
public enum DropAction {
  /** Silently drop: senders see timeouts (Jepsen's default). */
  DROP,
  /** Answer with an ICMP error: senders see "connection refused" at once. */
  REJECT
}
