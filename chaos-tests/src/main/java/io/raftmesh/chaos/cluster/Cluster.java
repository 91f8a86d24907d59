package io.raftmesh.chaos.cluster;

import io.grpc.ManagedChannel;
import io.raftmesh.chaos.failpoint.NetworkControl;
import io.raftmesh.chaos.failpoint.NodeControl;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A running control-server cluster the harness can break and talk to. Backends: {@link
 * ProcessCluster} (local processes from the distribution) and {@code ContainerCluster} (Docker, via
 * Testcontainers).
 *
 * <p>Invariants: {@link #nodes()} never changes; {@link #channel(String)} keeps returning a usable
 * channel to the node across its restarts (the address does not change); {@link #close()} stops
 * every process and removes every network change, also after a failed start.
 */
public interface Cluster extends AutoCloseable {
  /** Node (member) ids, e.g. {@code n1, n2, n3}. */
  List<String> nodes();

  /**
   * A channel to {@code node}'s gRPC API with the first admin's identity (shared; do not close).
   */
  ManagedChannel channel(String node);

  /** A channel to {@code node}'s gRPC API presenting {@code identity} (the caller closes it). */
  ManagedChannel channel(String node, MeshIdentity identity);

  /** A channel to {@code node} without a client certificate (enrollment), trusting the root. */
  ManagedChannel anonymousChannel(String node);

  /** The root certificate (PEM file) every mesh certificate chains to. */
  Path rootCertificate();

  /** The SPIFFE trust domain. */
  String trustDomain();

  /** Process control for the nemesis. */
  NodeControl nodeControl();

  /** Network control for the nemesis (what it cannot do fails with a message). */
  NetworkControl network();

  /** Which fault kinds this cluster can inject, with the reason for each one it cannot. */
  Capabilities capabilities();

  /** The current leader as some reachable node reports it, or empty. */
  Optional<String> leader();

  /** Stops everything. */
  @Override
  void close();
}
