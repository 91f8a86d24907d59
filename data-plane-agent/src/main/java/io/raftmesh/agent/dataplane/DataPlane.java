package io.raftmesh.agent.dataplane;

import io.raftmesh.agent.config.LocalServiceConfig;
import io.raftmesh.proto.v1.EdgeTraffic;
import io.raftmesh.proto.v1.Resource;
import java.util.List;
import java.util.Map;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The agent's view of the data plane it configures (the sidecar proxy). The agent calls it from one
 * thread at a time, in this order: {@link #start} once, when every local service has a workload
 * certificate; then {@link #apply} for each config; {@link #close} at shutdown.
 *
 * <p>Invariants the agent relies on:
 *
 * <ul>
 *   <li>{@link #apply} either puts the whole config in force or changes nothing and throws {@link
 *       RejectedConfigException} with a reason (which the agent sends as the NACK);
 *   <li>the key and trust managers given to {@link #start} are live: the agent rotates certificates
 *       and replaces the trust bundle inside them, and the data plane must consult them on every
 *       new handshake rather than copy their contents once.
 * </ul>
 */
public interface DataPlane extends AutoCloseable {

  /**
   * Starts serving with a workload identity per local service and the mesh trust manager.
   *
   * @param identities each local service's live key manager
   * @param trust the live trust manager of the mesh (peers' chains, authorization by SPIFFE ID is
   *     the data plane's own)
   * @throws Exception when it cannot start (a port is taken, ...); the agent exits
   */
  void start(
      Map<LocalServiceConfig, X509ExtendedKeyManager> identities, X509ExtendedTrustManager trust)
      throws Exception;

  /**
   * Puts the complete mesh config at {@code revision} in force.
   *
   * @param resources every resource the node sees at {@code revision}
   * @throws RejectedConfigException when it cannot apply it; the previous config stays in force
   */
  void apply(List<Resource> resources, long revision) throws RejectedConfigException;

  /**
   * The per-edge traffic summaries since the previous call (counts, not totals), for the control
   * plane's telemetry; empty for a data plane that keeps none. Called from the telemetry thread,
   * concurrently with traffic: it must be cheap and never block.
   */
  default List<EdgeTraffic> drainTraffic() {
    return List.of();
  }

  /** A certificate was rotated in one of the live key managers (for logs and metrics). */
  default void certificatesChanged() {}

  /** Stops serving; connections are closed. */
  @Override
  void close();
}
