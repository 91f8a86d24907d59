package io.raftmesh.server.xds;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.WatchCancelledException;
import io.envoyproxy.controlplane.cache.XdsRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The xDS answers of this server: java-control-plane's {@link ConfigWatcher}, over one {@link
 * XdsSnapshot} at a time (every client sees the same mesh: the authorization that matters, "is this
 * an enrolled mesh identity", happened before the stream opened).
 *
 * <p>Differences from java-control-plane's own {@code SimpleCache}, each deliberate:
 *
 * <ul>
 *   <li><b>Subsets, never silence.</b> A request naming resources that do not exist is answered
 *       with those that do (SimpleCache stays silent until all exist, stalling a client for good).
 *   <li><b>Make-before-break.</b> A route, cluster or assignment that disappears from the snapshot
 *       is still served, as it last was, to clients that keep asking for it by name (their routes
 *       still point at it), until no waiting request names it and {@code retention} has passed.
 *       Listeners are not retained: a deleted service's listener disappears, and the client fails
 *       its calls at once instead of waiting.
 *   <li><b>NACK damping.</b> A NACK is not answered with the version it refused: the stream waits
 *       for a newer version of that type (SimpleCache re-sends in a tight loop).
 *   <li><b>Never backwards.</b> A client that reconnects with a version newer than this server's
 *       replica waits until the replica has caught up.
 * </ul>
 */
final class RevisionCache implements ConfigWatcher {
  private final Object lock = new Object();
  private final Duration retention;
  private final LongSupplier nanos;
  private XdsSnapshot snapshot = XdsSnapshot.EMPTY;
  private boolean ready;
  private final Map<String, Map<String, Retired>> retired = new HashMap<>();
  private final Set<Waiting> waiting = new HashSet<>();
  private final Set<DeltaWaiting> deltaWaiting = new HashSet<>();

  /** A resource gone from the snapshot, still served to clients that ask for it by name. */
  private record Retired(XdsSnapshot.Versioned resource, long sinceNanos) {}

  /** A state-of-the-world watch waiting for a newer version. */
  private record Waiting(Watch watch, String type, long floor, long minRevision) {}

  /** A delta watch waiting for a newer version. */
  private record DeltaWaiting(DeltaWatch watch, String type, long floor) {}

  RevisionCache(Duration retention, LongSupplier nanos) {
    this.retention = retention;
    this.nanos = nanos;
  }

  /** The snapshot being served. */
  XdsSnapshot snapshot() {
    synchronized (lock) {
      return snapshot;
    }
  }

  /** Serves {@code next} and answers the watches it satisfies. */
  void publish(XdsSnapshot next) {
    synchronized (lock) {
      long now = nanos.getAsLong();
      for (String type : XdsSnapshot.TYPE_URLS) {
        if (type.equals(Resources.V3.LISTENER_TYPE_URL)) {
          continue;
        }
        Map<String, Retired> r = retired.computeIfAbsent(type, t -> new HashMap<>());
        Map<String, XdsSnapshot.Versioned> after = next.resources(type);
        snapshot
            .resources(type)
            .forEach(
                (name, v) -> {
                  if (!after.containsKey(name)) {
                    r.put(name, new Retired(v, now));
                  }
                });
        r.keySet().removeAll(after.keySet());
      }
      snapshot = next;
      ready = true;
      sweep(now);
      answerWaiting();
    }
  }

  /** The replica reached {@code revision} without a change xDS translates. */
  void advance(long revision) {
    synchronized (lock) {
      if (ready && revision > snapshot.revision()) {
        snapshot = new XdsSnapshot(revision, snapshot.types());
        answerWaiting();
      }
    }
  }

  private void answerWaiting() {
    for (Waiting w : new ArrayList<>(waiting)) {
      if (due(w.type(), w.floor(), w.minRevision())) {
        waiting.remove(w);
        respond(w.watch());
      }
    }
    for (DeltaWaiting w : new ArrayList<>(deltaWaiting)) {
      if (due(w.type(), w.floor(), 0) && respondDelta(w.watch())) {
        deltaWaiting.remove(w);
      }
    }
  }

  private boolean due(String type, long floor, long minRevision) {
    return ready && snapshot.revision() >= minRevision && snapshot.version(type) > floor;
  }

  /** Drops retired resources that have been gone long enough and that no waiting watch names. */
  private void sweep(long now) {
    Set<String> named = new HashSet<>();
    for (Waiting w : waiting) {
      named.addAll(w.watch().request().getResourceNamesList());
    }
    for (DeltaWaiting w : deltaWaiting) {
      if (!w.watch().isWildcard()) {
        named.addAll(w.watch().trackedResources().keySet());
        named.addAll(w.watch().pendingResources());
      }
    }
    long keep = retention.toNanos();
    for (Map<String, Retired> r : retired.values()) {
      r.entrySet()
          .removeIf(e -> now - e.getValue().sinceNanos() >= keep && !named.contains(e.getKey()));
    }
  }

  @Override
  public Watch createWatch(
      boolean ads,
      XdsRequest request,
      Set<String> knownResourceNames,
      Consumer<Response> responseConsumer,
      boolean hasClusterChanged,
      boolean allowDefaultEmptyEdsUpdate) {
    Watch watch = new Watch(ads, allowDefaultEmptyEdsUpdate, request, responseConsumer);
    XdsStreams.Stream stream = XdsStreams.takeCurrent();
    String type = request.getTypeUrl();
    if (!XdsSnapshot.TYPE_URLS.contains(type)) {
      return watch; // not served (secrets): never answered
    }
    long requested = parseVersion(request.getVersionInfo());
    synchronized (lock) {
      long floor;
      long minRevision = Math.max(requested, 0);
      if (request.hasErrorDetail()) {
        floor =
            Math.max(requested, stream == null ? snapshot.version(type) : stream.lastSent(type));
        minRevision = 0;
      } else if (!ready || snapshot.revision() < requested) {
        floor = -1;
      } else if (snapshot.version(type) != requested
          || asksForNew(type, request.getResourceNamesList(), knownResourceNames)) {
        respond(watch);
        return watch;
      } else {
        floor = snapshot.version(type);
      }
      if (due(type, floor, minRevision)) {
        respond(watch);
        return watch;
      }
      Waiting w = new Waiting(watch, type, floor, minRevision);
      waiting.add(w);
      watch.setStop(
          () -> {
            synchronized (lock) {
              waiting.remove(w);
            }
          });
      return watch;
    }
  }

  private boolean asksForNew(String type, List<String> names, Set<String> known) {
    for (String n : names) {
      if (!known.contains(n) && (snapshot.get(type, n) != null || retiredOf(type, n) != null)) {
        return true;
      }
    }
    return false;
  }

  private XdsSnapshot.@Nullable Versioned retiredOf(String type, String name) {
    Map<String, Retired> r = retired.get(type);
    Retired x = r == null ? null : r.get(name);
    return x == null ? null : x.resource();
  }

  private void respond(Watch watch) {
    XdsRequest request = watch.request();
    String type = request.getTypeUrl();
    List<String> names = request.getResourceNamesList();
    Collection<Message> resources = new ArrayList<>();
    if (names.isEmpty() || names.contains("*")) {
      snapshot.resources(type).values().forEach(v -> resources.add(v.resource()));
    } else {
      for (String n : new java.util.TreeSet<>(names)) {
        XdsSnapshot.Versioned v = snapshot.get(type, n);
        if (v == null) {
          v = retiredOf(type, n);
        }
        if (v != null) {
          resources.add(v.resource());
        }
      }
    }
    try {
      watch.respond(Response.create(request, resources, Long.toString(snapshot.version(type))));
    } catch (WatchCancelledException e) {
      // the stream moved on or closed: nothing to answer
    }
  }

  @Override
  public DeltaWatch createDeltaWatch(
      DeltaXdsRequest request,
      String requesterVersion,
      Map<String, String> resourceVersions,
      Set<String> pendingResources,
      boolean isWildcard,
      Consumer<DeltaResponse> responseConsumer,
      boolean hasClusterChanged) {
    DeltaWatch watch =
        new DeltaWatch(
            request,
            Map.copyOf(resourceVersions),
            Set.copyOf(pendingResources),
            requesterVersion,
            isWildcard,
            responseConsumer);
    XdsStreams.Stream stream = XdsStreams.takeCurrent();
    String type = request.getTypeUrl();
    if (!XdsSnapshot.TYPE_URLS.contains(type)) {
      return watch;
    }
    synchronized (lock) {
      long floor = -1;
      if (request.hasErrorDetail()) {
        floor = stream == null ? snapshot.version(type) : stream.lastSent(type);
      }
      if (due(type, floor, 0) && respondDelta(watch)) {
        return watch;
      }
      DeltaWaiting w = new DeltaWaiting(watch, type, floor);
      deltaWaiting.add(w);
      watch.setStop(
          () -> {
            synchronized (lock) {
              deltaWaiting.remove(w);
            }
          });
      return watch;
    }
  }

  /**
   * Sends what changed for the watch's subscriptions since what the client acknowledged (versions
   * are the revisions at which each resource last changed); false when nothing did.
   */
  private boolean respondDelta(DeltaWatch watch) {
    String type = watch.request().getTypeUrl();
    Map<String, String> tracked = watch.trackedResources();
    Map<String, VersionedResource<?>> changed = new LinkedHashMap<>();
    List<String> removed = new ArrayList<>();
    Set<String> names = new HashSet<>();
    if (watch.isWildcard()) {
      names.addAll(snapshot.resources(type).keySet());
    }
    names.addAll(tracked.keySet());
    names.addAll(watch.pendingResources());
    for (String n : new java.util.TreeSet<>(names)) {
      XdsSnapshot.Versioned v = snapshot.get(type, n);
      if (v == null && !watch.isWildcard()) {
        v = retiredOf(type, n); // make-before-break for resources subscribed by name
      }
      if (v == null) {
        if (tracked.containsKey(n)) {
          removed.add(n);
        }
        continue;
      }
      String version = Long.toString(v.version());
      if (!version.equals(tracked.get(n))) {
        changed.put(n, VersionedResource.create(v.resource(), version));
      }
    }
    if (changed.isEmpty() && removed.isEmpty()) {
      return false;
    }
    try {
      watch.respond(
          DeltaResponse.create(
              watch.request(), changed, removed, Long.toString(snapshot.version(type))));
    } catch (WatchCancelledException e) {
      // the stream moved on or closed
    }
    return true;
  }

  /** A version_info as a revision; -1 for none or one this server did not write. */
  static long parseVersion(String versionInfo) {
    if (versionInfo.isEmpty() || versionInfo.length() > 19) {
      return -1;
    }
    for (int i = 0; i < versionInfo.length(); i++) {
      if (!Character.isDigit(versionInfo.charAt(i))) {
        return -1;
      }
    }
    return Long.parseLong(versionInfo);
  }
}
