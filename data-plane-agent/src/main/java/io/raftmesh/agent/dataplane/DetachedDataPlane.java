package io.raftmesh.agent.dataplane;

import io.raftmesh.agent.config.LocalServiceConfig;
import io.raftmesh.proto.v1.Resource;
import java.util.List;
import java.util.Map;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A data plane that accepts every config and serves nothing: for running the agent's control side
 * alone ({@code --data-plane=none}), e.g. to enroll and register a node whose traffic another proxy
 * carries, and in benchmarks that measure the agent without a proxy.
 */
public final class DetachedDataPlane implements DataPlane {
  private static final Logger log = LoggerFactory.getLogger(DetachedDataPlane.class);

  private volatile long revision;

  @Override
  public void start(
      Map<LocalServiceConfig, X509ExtendedKeyManager> identities, X509ExtendedTrustManager trust) {
    log.info("data plane detached: no proxy runs services={}", identities.size());
  }

  @Override
  public void apply(List<Resource> resources, long revision) {
    this.revision = revision;
    log.debug("detached data plane accepted revision={} resources={}", revision, resources.size());
  }

  /** The last revision accepted. */
  public long revision() {
    return revision;
  }

  @Override
  public void close() {}
}
