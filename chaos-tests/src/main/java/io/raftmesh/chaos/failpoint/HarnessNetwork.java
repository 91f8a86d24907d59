package io.raftmesh.chaos.failpoint;

import io.raftmesh.chaos.net.FaultBridge;
import io.raftmesh.chaos.net.Grudge;
import io.raftmesh.chaos.net.NamespaceNetwork;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@link NetworkControl} over the harness's own tools: partitions and loss as firewall rules in a
 * {@link NamespaceNetwork}, delay on the {@link FaultBridge}s placed between peers. Either part may
 * be absent; a fault that needs it then fails with a message saying what is missing.
 */
public final class HarnessNetwork implements NetworkControl {
  private final @Nullable NamespaceNetwork namespaces;
  private final List<FaultBridge> peerBridges;

  /** A network over these parts. */
  public HarnessNetwork(@Nullable NamespaceNetwork namespaces, List<FaultBridge> peerBridges) {
    this.namespaces = namespaces;
    this.peerBridges = List.copyOf(peerBridges);
  }

  private NamespaceNetwork namespaces(String fault) {
    if (namespaces == null) {
      throw new UnsupportedOperationException(fault + " needs network namespaces (root, ip, nft)");
    }
    return namespaces;
  }

  @Override
  public void partition(Grudge grudge) throws IOException {
    namespaces("a partition").partition(grudge);
  }

  @Override
  public void slow(Duration delay, Duration jitter) {
    if (peerBridges.isEmpty()) {
      throw new UnsupportedOperationException("a slow network needs fault bridges between peers");
    }
    for (FaultBridge b : peerBridges) {
      b.setFaults(b.faults().withDelay(delay, jitter));
    }
  }

  @Override
  public void lossy(Collection<String> nodes, double probability) throws IOException {
    NamespaceNetwork net = namespaces("packet loss");
    for (String n : nodes) {
      if (probability > 0) {
        net.setLoss(n, probability);
      } else {
        net.clearLoss(n);
      }
    }
  }

  @Override
  public boolean canSlow() {
    return !peerBridges.isEmpty();
  }
}
