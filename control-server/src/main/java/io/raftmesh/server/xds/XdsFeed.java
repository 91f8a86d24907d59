package io.raftmesh.server.xds;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources;
import io.raftmesh.proto.v1.ChangeRecord;
import io.raftmesh.proto.v1.KeyChange;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.server.config.ResourceKeys;
import io.raftmesh.server.config.StoredResources;
import io.raftmesh.store.Backup;
import io.raftmesh.store.StoreMember;
import io.raftmesh.store.Watch;
import io.raftmesh.store.WatchListener;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the local replica's committed change log and turns it into xDS snapshots: a full read at
 * one revision, then a store {@link Watch} from exactly that revision (in order, without gaps). A
 * change to a translated resource marks the mesh dirty and schedules one rebuild; changes arriving
 * while a rebuild is scheduled or running are folded into the next one, so a burst of writes costs
 * one or two translations, and each snapshot's revision is the last revision folded in. Changes to
 * other keys (node acknowledgements, certificates, tokens) only advance the revision.
 *
 * <p>Reloads and rebuilds run on one thread ({@code executor} must be single-threaded), so
 * snapshots are published in revision order.
 */
final class XdsFeed implements WatchListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(XdsFeed.class);

  private final StoreMember member;
  private final RevisionCache cache;
  private final ScheduledExecutorService executor;
  private final XdsMetrics metrics;
  private final MeshResources mesh = new MeshResources();
  private long revision;
  private boolean dirty;
  private boolean scheduled;
  private boolean closed;
  private @Nullable Watch watch;
  private @Nullable ScheduledFuture<?> retry;

  XdsFeed(
      StoreMember member, RevisionCache cache, ScheduledExecutorService executor, XdsMetrics m) {
    this.member = member;
    this.cache = cache;
    this.executor = executor;
    this.metrics = m;
  }

  /** Reads the replica and starts following it (in the background). */
  void start() {
    executor.execute(this::reload);
  }

  /** A full read of the local replica at one revision, then a watch from it. */
  private void reload() {
    synchronized (this) {
      if (closed) {
        return;
      }
      Watch w = watch;
      if (w != null) {
        w.close();
      }
      try (Backup view = member.openBackup()) {
        mesh.clear();
        while (view.hasNext()) {
          KeyValue kv = view.next();
          if (kv.getKey().isEmpty() || kv.getKey().byteAt(0) != '/') {
            break; // resource keys sort before the server's reserved records
          }
          StoredResources.decode(kv).ifPresent(mesh::put);
        }
        revision = view.revision();
      } catch (RuntimeException e) {
        LOG.warn(
            "member={} xds: reading the replica failed, retrying: {}", member.id(), e.toString());
        retry = executor.schedule(this::reload, 1, TimeUnit.SECONDS);
        return;
      }
      dirty = true;
      watch = member.watch(revision, this);
      LOG.info(
          "member={} xds: following the change log from revision={} resources={}",
          member.id(),
          revision,
          mesh.size());
    }
    rebuild();
  }

  @Override
  public synchronized void onChange(ChangeRecord record) {
    if (closed || record.getRevision() <= revision) {
      return;
    }
    boolean changed = false;
    for (KeyChange change : record.getChangesList()) {
      Optional<ResourceKey> key = ResourceKeys.parse(change.getKv().getKey().toByteArray());
      if (key.isEmpty() || !MeshResources.translated(key.get().getType())) {
        continue;
      }
      if (change.getKind() == KeyChange.Kind.PUT) {
        changed |= StoredResources.decode(change.getKv()).map(mesh::put).orElse(false);
      } else {
        changed |= mesh.remove(key.get());
      }
    }
    revision = record.getRevision();
    if (changed) {
      dirty = true;
      if (!scheduled) {
        scheduled = true;
        executor.execute(this::rebuild);
      }
    } else if (!dirty) {
      cache.advance(revision);
    }
  }

  @Override
  public synchronized void onCompacted(long compactRevision, long atRevision) {
    LOG.info(
        "member={} xds: change feed fell below the compaction floor {}: reloading",
        member.id(),
        compactRevision);
    watch = null;
    executor.execute(this::reload);
  }

  @Override
  public synchronized void onError(Throwable error) {
    if (closed) {
      return;
    }
    LOG.warn("member={} xds: change feed failed, reloading: {}", member.id(), error.toString());
    watch = null;
    retry = executor.schedule(this::reload, 1, TimeUnit.SECONDS);
  }

  /** Translates the mesh as it is now and publishes the snapshot. */
  private void rebuild() {
    MeshResources copy;
    long at;
    synchronized (this) {
      scheduled = false;
      if (closed || !dirty) {
        return;
      }
      dirty = false;
      copy = mesh.copy();
      at = revision;
    }
    long start = System.nanoTime();
    try {
      ClusterTranslation.Output clusters = ClusterTranslation.translate(copy);
      RouteTranslation.Output routes = RouteTranslation.translate(copy);
      Map<String, Map<String, ? extends Message>> next = new HashMap<>();
      next.put(Resources.V3.LISTENER_TYPE_URL, routes.listeners());
      next.put(Resources.V3.ROUTE_TYPE_URL, routes.routes());
      next.put(Resources.V3.CLUSTER_TYPE_URL, clusters.clusters());
      next.put(Resources.V3.ENDPOINT_TYPE_URL, clusters.assignments());
      XdsSnapshot snapshot = XdsSnapshot.next(cache.snapshot(), at, next);
      cache.publish(snapshot);
      metrics.buildDuration.observe((System.nanoTime() - start) / 1e9);
      LOG.debug(
          "member={} xds: snapshot revision={} resources={}", member.id(), at, snapshot.size());
    } catch (RuntimeException e) {
      LOG.error("member={} xds: translating revision {} failed: {}", member.id(), at, e, e);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    ScheduledFuture<?> r = retry;
    if (r != null) {
      r.cancel(false);
    }
    Watch w = watch;
    if (w != null) {
      w.close();
    }
  }
}
