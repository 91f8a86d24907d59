package io.raftmesh.server.xds;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.raftmesh.server.auth.Caller;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The xDS streams open on this server and what each client was sent, acknowledged and refused, per
 * type: java-control-plane calls these callbacks for every request and response. A request whose
 * nonce is that of the latest response of its type answers that response: without {@code
 * error_detail} it is an ACK, with one a NACK (logged once with its reason, counted in {@code
 * raftmesh_xds_nacks_total}, kept for status).
 *
 * <p>java-control-plane runs the request callback and then, on the same thread and for the same
 * request, asks the {@link RevisionCache} for a watch; {@link #takeCurrent} hands the stream over
 * so that the cache knows which version a NACK refused (and does not send it again).
 */
final class XdsStreams implements DiscoveryServerCallbacks {
  private static final Logger LOG = LoggerFactory.getLogger(XdsStreams.class);
  private static final ThreadLocal<@Nullable Stream> CURRENT = new ThreadLocal<>();

  private final ConcurrentMap<Long, Stream> open = new ConcurrentHashMap<>();
  private final String serverId;
  private final Clock clock;
  private @Nullable XdsMetrics metrics;

  XdsStreams(String serverId, Clock clock) {
    this.serverId = serverId;
    this.clock = clock;
  }

  void metrics(XdsMetrics m) {
    metrics = m;
  }

  /** A client's refusal of one version of one type. */
  record Nack(String typeUrl, long version, String reason, Instant at) {}

  /** What one stream was sent and answered, per type URL. */
  static final class Stream {
    final long id;
    final String caller;
    final Instant openedAt;
    final boolean delta;
    private String node = "";
    private final Map<String, long[]> sent = new HashMap<>(); // type -> {sent version, acked}
    private final Map<String, String> nonces = new HashMap<>();
    private final Set<String> named = new HashSet<>();
    private final Set<String> unsubscribed = new HashSet<>();
    private @Nullable Nack lastNack;

    Stream(long id, String caller, Instant openedAt, boolean delta) {
      this.id = id;
      this.caller = caller;
      this.openedAt = openedAt;
      this.delta = delta;
    }

    /** The version of the latest response of {@code typeUrl} (-1 before the first). */
    synchronized long lastSent(String typeUrl) {
      long[] s = sent.get(typeUrl);
      return s == null ? -1 : s[0];
    }

    synchronized void sent(String typeUrl, String nonce, long version) {
      sent.computeIfAbsent(typeUrl, t -> new long[] {-1, -1})[0] = version;
      nonces.put(typeUrl, nonce);
    }

    /**
     * Whether a request with {@code nonce} answers the latest response of its type (once: a later
     * request with the same nonce only changes subscriptions).
     */
    synchronized boolean answers(String typeUrl, String nonce) {
      if (!nonce.isEmpty() && nonce.equals(nonces.get(typeUrl))) {
        nonces.remove(typeUrl);
        return true;
      }
      return false;
    }

    synchronized long acked(String typeUrl) {
      long[] s = sent.computeIfAbsent(typeUrl, t -> new long[] {-1, -1});
      s[1] = Math.max(s[1], s[0]);
      return s[1];
    }

    synchronized Nack nacked(String typeUrl, String reason, Instant at) {
      Nack n = new Nack(typeUrl, lastSent(typeUrl), reason, at);
      lastNack = n;
      return n;
    }

    /**
     * Notes the names a state-of-the-world request asks for: no names after some names means the
     * client stopped watching the type (grpc-java does this when a listener or route goes away).
     */
    synchronized void requested(String typeUrl, List<String> names) {
      if (!names.isEmpty()) {
        named.add(typeUrl);
        unsubscribed.remove(typeUrl);
      } else if (named.contains(typeUrl)) {
        unsubscribed.add(typeUrl);
      }
    }

    synchronized void node(String id) {
      if (!id.isEmpty()) {
        node = id;
      }
    }

    /**
     * The revision whose state this client holds: the least acknowledged version over the types it
     * was sent, where a type acknowledged at its current version counts as the snapshot's revision
     * (nothing in it changed since). 0 before any acknowledgement.
     */
    synchronized XdsClientStatus status(String serverId, XdsSnapshot snapshot) {
      long acked = Long.MAX_VALUE;
      for (Map.Entry<String, long[]> e : sent.entrySet()) {
        if (unsubscribed.contains(e.getKey())) {
          continue;
        }
        long a = e.getValue()[1];
        long effective = a >= 0 && a >= snapshot.version(e.getKey()) ? snapshot.revision() : a;
        acked = Math.min(acked, Math.max(effective, 0));
      }
      if (acked == Long.MAX_VALUE) {
        acked = 0;
      }
      Nack n = lastNack;
      return new XdsClientStatus(
          serverId,
          id,
          caller,
          node,
          delta,
          acked,
          n == null ? 0 : n.version(),
          n == null ? "" : n.reason());
    }
  }

  /** The stream of the request being handled on this thread, once (null when there is none). */
  static @Nullable Stream takeCurrent() {
    Stream s = CURRENT.get();
    CURRENT.remove();
    return s;
  }

  int size() {
    return open.size();
  }

  /** Every open stream's status against {@code snapshot}. */
  List<XdsClientStatus> clients(XdsSnapshot snapshot) {
    List<XdsClientStatus> out = new ArrayList<>();
    for (Stream s : open.values()) {
      out.add(s.status(serverId, snapshot));
    }
    out.sort(java.util.Comparator.comparingLong(XdsClientStatus::stream));
    return out;
  }

  @Override
  public void onStreamOpen(long streamId, String typeUrl) {
    Caller c = Caller.KEY.get();
    String caller = c == null ? "unknown" : c.describe();
    open.put(streamId, new Stream(streamId, caller, clock.instant(), false));
    LOG.info("xds stream opened stream={} caller={} member={}", streamId, caller, serverId);
  }

  @Override
  public void onStreamClose(long streamId, String typeUrl) {
    closed(streamId, "completed");
  }

  @Override
  public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    closed(streamId, error.toString());
  }

  private void closed(long streamId, String why) {
    Stream s = open.remove(streamId);
    if (s != null) {
      LOG.info(
          "xds stream closed stream={} caller={} node={} member={} reason={}",
          streamId,
          s.caller,
          s.node,
          serverId,
          why);
    }
  }

  private Stream stream(long streamId, boolean delta) {
    return open.computeIfAbsent(streamId, id -> new Stream(id, "unknown", clock.instant(), delta));
  }

  @Override
  public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
    Stream s = stream(streamId, false);
    if (request.hasNode()) {
      s.node(request.getNode().getId());
    }
    answered(
        s,
        request.getTypeUrl(),
        request.getResponseNonce(),
        request.hasErrorDetail() ? request.getErrorDetail().getMessage() : null);
    s.requested(request.getTypeUrl(), request.getResourceNamesList());
    CURRENT.set(s);
  }

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
    Stream s =
        open.compute(
            streamId,
            (id, old) ->
                old == null || !old.delta
                    ? new Stream(id, callerOf(old), clock.instant(), true)
                    : old);
    if (request.hasNode()) {
      s.node(request.getNode().getId());
    }
    answered(
        s,
        request.getTypeUrl(),
        request.getResponseNonce(),
        request.hasErrorDetail() ? request.getErrorDetail().getMessage() : null);
    CURRENT.set(s);
  }

  private static String callerOf(@Nullable Stream old) {
    return old == null ? "unknown" : old.caller;
  }

  private void answered(Stream s, String typeUrl, String nonce, @Nullable String nackReason) {
    if (!s.answers(typeUrl, nonce)) {
      return; // a first request, a new subscription, or an answer to an older response
    }
    XdsMetrics m = metrics;
    String type = XdsMetrics.type(typeUrl);
    if (nackReason == null) {
      s.acked(typeUrl);
      if (m != null) {
        m.acks.labelValues(type).inc();
      }
      return;
    }
    Nack n = s.nacked(typeUrl, nackReason, clock.instant());
    if (m != null) {
      m.nacks.labelValues(type).inc();
    }
    LOG.warn(
        "xds config refused stream={} node={} caller={} type={} version={} reason={}",
        s.id,
        s.node,
        s.caller,
        type,
        n.version(),
        nackReason);
  }

  @Override
  public void onV3StreamResponse(
      long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    sent(streamId, false, response.getTypeUrl(), response.getNonce(), response.getVersionInfo());
  }

  @Override
  public void onV3StreamDeltaResponse(
      long streamId, DeltaDiscoveryRequest request, DeltaDiscoveryResponse response) {
    sent(
        streamId,
        true,
        response.getTypeUrl(),
        response.getNonce(),
        response.getSystemVersionInfo());
  }

  private void sent(long streamId, boolean delta, String typeUrl, String nonce, String version) {
    stream(streamId, delta).sent(typeUrl, nonce, RevisionCache.parseVersion(version));
    XdsMetrics m = metrics;
    if (m != null) {
      m.responses.labelValues(XdsMetrics.type(typeUrl)).inc();
    }
  }
}
