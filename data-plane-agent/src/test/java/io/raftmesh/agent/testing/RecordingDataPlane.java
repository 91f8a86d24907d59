package io.raftmesh.agent.testing;

import io.raftmesh.agent.config.LocalServiceConfig;
import io.raftmesh.agent.dataplane.DataPlane;
import io.raftmesh.agent.dataplane.RejectedConfigException;
import io.raftmesh.proto.v1.Resource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A data plane for agent tests: records what it was given, and refuses any config holding a
 * resource labelled {@code reject=true} (as a proxy refuses a config it cannot apply).
 */
public final class RecordingDataPlane implements DataPlane {
  public final List<Long> applied = new CopyOnWriteArrayList<>();
  public volatile List<Resource> resources = List.of();
  public volatile Map<LocalServiceConfig, X509ExtendedKeyManager> identities = Map.of();
  public volatile X509ExtendedTrustManager trust;
  public volatile boolean started;
  public volatile boolean closed;

  @Override
  public void start(
      Map<LocalServiceConfig, X509ExtendedKeyManager> identities, X509ExtendedTrustManager trust) {
    this.identities = Map.copyOf(identities);
    this.trust = trust;
    this.started = true;
  }

  @Override
  public void apply(List<Resource> all, long revision) throws RejectedConfigException {
    for (Resource r : all) {
      if ("true".equals(r.getMeta().getLabelsMap().get("reject"))) {
        throw new RejectedConfigException(
            r.getType() + " " + r.getNamespace() + "/" + r.getName() + ": labelled reject=true");
      }
    }
    resources = List.copyOf(all);
    applied.add(revision);
  }

  public long revision() {
    return applied.isEmpty() ? 0 : applied.get(applied.size() - 1);
  }

  @Override
  public void close() {
    closed = true;
  }
}
