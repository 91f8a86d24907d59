package io.raftmesh.server.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The control server's own series (the store registers its Raft and store series in the same
 * registry, see {@code StoreMetrics}). Every label has a small fixed set of values: no node names,
 * SPIFFE IDs, keys or request ids.
 *
 * <ul>
 *   <li>{@code raftmesh_build_info{version,revision}} (info)
 *   <li>{@code raftmesh_raft_role{role}}: 1 for this member's current role, 0 for the others
 *   <li>{@code raftmesh_config_delta_streams}: open delta streams on this server
 *   <li>{@code raftmesh_config_deltas_sent_total{kind="delta|reset"}}
 *   <li>{@code raftmesh_config_delta_send_duration_seconds}: from this server applying a change to
 *       the delta that carries it being written to the stream
 *   <li>{@code raftmesh_config_delta_acks_total}, {@code raftmesh_config_delta_nacks_total}
 *   <li>{@code raftmesh_config_delta_streams_shed_total{reason="no_quorum|shutdown|failed"}}
 *   <li>{@code raftmesh_config_ack_flushes_total{result="ok|conflict|error"}}: batched writes of
 *       nodes' acknowledged revisions
 *   <li>{@code raftmesh_config_endpoints_expired_total{action="unhealthy|removed|restored"}}
 *   <li>{@code raftmesh_ca_certificates_issued_total{kind="node|workload|server|admin"}}
 *   <li>{@code raftmesh_ca_enrollment_failures_total{reason}}: {@code token_refused}, {@code
 *       bad_request}, {@code name_taken}, {@code no_issuer}, {@code unavailable}, {@code internal}
 *   <li>{@code raftmesh_ca_token_uses_total{result="ok|refused"}}
 *   <li>{@code raftmesh_server_authorization_failures_total{reason}}: {@code no_certificate},
 *       {@code wrong_identity}, {@code removed_node}, {@code bad_certificate} (a TLS handshake
 *       whose client chain did not verify)
 *   <li>{@code raftmesh_server_rpcs_total{method,code}}: finished calls by gRPC method and status
 * </ul>
 */
public final class ServerMetrics {
  /** Deltas (and resets) sent. */
  public final Counter deltasSent;

  /** Apply-to-send latency of deltas. */
  public final Histogram deltaSendDuration;

  /** ACKs received. */
  public final Counter acks;

  /** NACKs received. */
  public final Counter nacks;

  /** Streams ended by the server, by reason. */
  public final Counter streamsShed;

  /** Batched ACK writes, by result. */
  public final Counter ackFlushes;

  /** Endpoints marked unhealthy, removed or restored by the heartbeat reaper. */
  public final Counter endpointsExpired;

  /** Certificates issued, by kind. */
  public final Counter certificatesIssued;

  /** Enrollment failures, by reason. */
  public final Counter enrollmentFailures;

  /** Join token uses, by result. */
  public final Counter tokenUses;

  /** Refused callers, by reason. */
  public final Counter authorizationFailures;

  /** Finished calls, by method and status code. */
  public final Counter rpcs;

  /**
   * Registers every series in {@code registry}.
   *
   * @param role this member's Raft role, lower case ({@code leader}, {@code follower}, ...)
   * @param streams the number of open delta streams
   */
  public ServerMetrics(
      PrometheusRegistry registry,
      String version,
      String revision,
      Supplier<String> role,
      IntSupplier streams) {
    Info.builder()
        .name("raftmesh_build_info")
        .help("The running build")
        .labelNames("version", "revision")
        .register(registry)
        .setLabelValues(version, revision);
    GaugeWithCallback.builder()
        .name("raftmesh_raft_role")
        .help("1 for this member's current Raft role")
        .labelNames("role")
        .callback(
            cb -> {
              String current = role.get().toLowerCase(Locale.ROOT);
              for (String r : new String[] {"leader", "follower", "candidate", "listener"}) {
                cb.call(r.equals(current) ? 1 : 0, r);
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("raftmesh_config_delta_streams")
        .help("Open delta streams on this server")
        .callback(cb -> cb.call(streams.getAsInt()))
        .register(registry);
    deltasSent =
        Counter.builder()
            .name("raftmesh_config_deltas_sent_total")
            .help("Deltas sent to subscribers, by kind (reset: a full snapshot)")
            .labelNames("kind")
            .register(registry);
    deltaSendDuration =
        Histogram.builder()
            .name("raftmesh_config_delta_send_duration_seconds")
            .help("From this server applying a change to the delta carrying it being sent")
            .classicUpperBounds(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10)
            .register(registry);
    acks =
        Counter.builder()
            .name("raftmesh_config_delta_acks_total")
            .help("Deltas acknowledged by subscribers")
            .register(registry);
    nacks =
        Counter.builder()
            .name("raftmesh_config_delta_nacks_total")
            .help("Deltas refused by subscribers")
            .register(registry);
    streamsShed =
        Counter.builder()
            .name("raftmesh_config_delta_streams_shed_total")
            .help("Delta streams ended by this server, by reason")
            .labelNames("reason")
            .register(registry);
    ackFlushes =
        Counter.builder()
            .name("raftmesh_config_ack_flushes_total")
            .help("Batched writes of acknowledged revisions and liveness, by result")
            .labelNames("result")
            .register(registry);
    endpointsExpired =
        Counter.builder()
            .name("raftmesh_config_endpoints_expired_total")
            .help("Endpoints changed because their node stopped (or resumed) heartbeating")
            .labelNames("action")
            .register(registry);
    certificatesIssued =
        Counter.builder()
            .name("raftmesh_ca_certificates_issued_total")
            .help("Certificates issued and recorded, by kind")
            .labelNames("kind")
            .register(registry);
    enrollmentFailures =
        Counter.builder()
            .name("raftmesh_ca_enrollment_failures_total")
            .help("Refused or failed enrollments, by reason")
            .labelNames("reason")
            .register(registry);
    tokenUses =
        Counter.builder()
            .name("raftmesh_ca_token_uses_total")
            .help("Join token uses, by result")
            .labelNames("result")
            .register(registry);
    authorizationFailures =
        Counter.builder()
            .name("raftmesh_server_authorization_failures_total")
            .help("Callers refused by the authentication and authorization checks, by reason")
            .labelNames("reason")
            .register(registry);
    rpcs =
        Counter.builder()
            .name("raftmesh_server_rpcs_total")
            .help("Finished gRPC calls, by method and status code")
            .labelNames("method", "code")
            .register(registry);
  }

  /**
   * Registers {@code raftmesh_config_revision}: the newest revision agents are sent, as this
   * member's replica knows it. Agents that applied it are current; the store's own revision moves
   * also with ACKs and heartbeats that agents never see, so it cannot serve as the yardstick.
   *
   * @param revision reads the revision; a failing read leaves the series out of that scrape
   */
  public void configRevision(PrometheusRegistry registry, LongSupplier revision) {
    GaugeWithCallback.builder()
        .name("raftmesh_config_revision")
        .help("Newest config revision agents are sent, as this member's replica knows it")
        .callback(
            cb -> {
              long r;
              try {
                r = revision.getAsLong();
              } catch (RuntimeException e) {
                return;
              }
              cb.call(r);
            })
        .register(registry);
  }

  /** Counts a certificate of {@code kind} ({@code node}, {@code workload}, ...). */
  public void issued(String kind) {
    certificatesIssued.labelValues(kind).inc();
  }
}
