package io.raftmesh.server.xds;

import io.envoyproxy.controlplane.server.DefaultExecutorGroup;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.controlplane.server.serializer.CachedProtoResourcesSerializer;
import io.grpc.BindableService;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmesh.proto.v1.XdsStream;
import io.raftmesh.store.StoreMember;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Envoy's aggregated discovery service (ADS, state-of-the-world and delta) on a control server,
 * served from the local replica's change log: every xDS {@code version_info} is a store revision.
 * It runs on the server's gRPC port behind the same caller checks as the delta stream (enrolled
 * node identities over mutual TLS). java-control-plane speaks the protocol; {@link RevisionCache}
 * decides what each request is answered with.
 *
 * <pre>{@code
 * XdsServer xds = XdsServer.start(member, "n1", registry, Clock.systemUTC(), Duration.ofSeconds(30));
 * serverBuilder.addService(ServerInterceptors.intercept(xds.service(), callerInterceptor));
 * xds.clients();   // what each connected client acknowledged or refused
 * xds.close();
 * }</pre>
 */
public final class XdsServer implements AutoCloseable {
  private final XdsStreams streams;
  private final RevisionCache cache;
  private final XdsFeed feed;
  private final ScheduledExecutorService executor;
  private final BindableService service;

  private XdsServer(
      XdsStreams streams,
      RevisionCache cache,
      XdsFeed feed,
      ScheduledExecutorService executor,
      BindableService service) {
    this.streams = streams;
    this.cache = cache;
    this.feed = feed;
    this.executor = executor;
    this.service = service;
  }

  /**
   * Starts following {@code member}'s replica (the first snapshot is built in the background; no
   * client is answered before it).
   *
   * @param retention how long a removed route, cluster or assignment stays available to clients
   *     that still ask for it by name (make-before-break), at least
   */
  public static XdsServer start(
      StoreMember member,
      String serverId,
      PrometheusRegistry registry,
      Clock clock,
      Duration retention) {
    XdsStreams streams = new XdsStreams(serverId, clock);
    RevisionCache cache = new RevisionCache(retention, System::nanoTime);
    XdsMetrics metrics =
        new XdsMetrics(
            registry,
            streams::size,
            () -> cache.snapshot().revision(),
            () -> cache.snapshot().size());
    streams.metrics(metrics);
    ScheduledExecutorService executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "raftmesh-xds-" + serverId);
              t.setDaemon(true);
              return t;
            });
    XdsFeed feed = new XdsFeed(member, cache, executor, metrics);
    V3DiscoveryServer discovery =
        new V3DiscoveryServer(
            List.of(streams),
            cache,
            new DefaultExecutorGroup(),
            new CachedProtoResourcesSerializer());
    feed.start();
    return new XdsServer(
        streams, cache, feed, executor, discovery.getAggregatedDiscoveryServiceImpl());
  }

  /** The ADS service to bind (behind the caller interceptor). */
  public BindableService service() {
    return service;
  }

  /** The store revision of the snapshot being served (0 before the first). */
  public long revision() {
    return cache.snapshot().revision();
  }

  /** The clients connected to this server, with what they acknowledged and refused. */
  public List<XdsClientStatus> clients() {
    return streams.clients(cache.snapshot());
  }

  /** The same, as the status RPC reports them. */
  public List<XdsStream> streams() {
    XdsSnapshot snapshot = cache.snapshot();
    List<XdsStream> out = new java.util.ArrayList<>();
    for (XdsClientStatus c : streams.clients(snapshot)) {
      out.add(
          XdsStream.newBuilder()
              .setServerId(c.server())
              .setCaller(c.caller())
              .setNodeId(c.node())
              .setDelta(c.delta())
              .setAckedRevision(c.ackedRevision())
              .setRevisionsBehind(Math.max(0, snapshot.revision() - c.ackedRevision()))
              .setNackedRevision(c.nackedRevision())
              .setNackReason(c.nackReason())
              .build());
    }
    return out;
  }

  /** Stops following the replica (streams end when the gRPC server stops). Idempotent. */
  @Override
  public void close() {
    feed.close();
    executor.shutdownNow();
  }
}
