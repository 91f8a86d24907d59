package io.raftmesh.agent.control;

import static java.util.Objects.requireNonNull;

import io.grpc.Channel;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftmesh.agent.config.HostPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control servers an enrolled agent talks to, over mutual TLS with its node certificate. Keeps
 * one channel per server (opened on first use); calls go to the server that answered last and fail
 * over to the others, in random order, on errors that another server may not have (UNAVAILABLE,
 * DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED), with jittered backoff between rounds.
 *
 * <p>The key and trust managers are consulted on every handshake, so rotating the node certificate
 * or the trust bundle needs no new channels and drops no connections. Thread-safe.
 */
public final class ControlServers implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlServers.class);
  private static final Set<Status.Code> RETRYABLE =
      EnumSet.of(
          Status.Code.UNAVAILABLE,
          Status.Code.DEADLINE_EXCEEDED,
          Status.Code.RESOURCE_EXHAUSTED,
          Status.Code.ABORTED);

  /** One call against one server's channel. */
  @FunctionalInterface
  public interface Rpc<T> {
    /** Makes the call; a {@link StatusRuntimeException} is classified as retryable or not. */
    T call(Channel channel);
  }

  private final List<HostPort> servers;
  private final ChannelFactory factory;
  private final X509ExtendedKeyManager keyManager;
  private final RecordingTrustManager trustManager;
  private final Backoff backoff;
  private final RandomGenerator random;
  private final Map<HostPort, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile @Nullable HostPort preferred;
  private volatile boolean closed;

  /** Servers reached through {@code factory} with the node's key and trust managers. */
  public ControlServers(
      List<HostPort> servers,
      ChannelFactory factory,
      X509ExtendedKeyManager keyManager,
      X509ExtendedTrustManager trustManager,
      Backoff backoff,
      RandomGenerator random) {
    this.servers = List.copyOf(servers);
    if (this.servers.isEmpty()) {
      throw new IllegalArgumentException("servers: [] (expected: at least one)");
    }
    this.factory = requireNonNull(factory, "factory");
    this.keyManager = requireNonNull(keyManager, "keyManager");
    this.trustManager = new RecordingTrustManager(requireNonNull(trustManager, "trustManager"));
    this.backoff = requireNonNull(backoff, "backoff");
    this.random = requireNonNull(random, "random");
  }

  /** Every configured server. */
  public List<HostPort> servers() {
    return servers;
  }

  /** The backoff used between rounds of attempts. */
  public Backoff backoff() {
    return backoff;
  }

  /** The channel to {@code server}, opened on first use. */
  public Channel channel(HostPort server) {
    if (closed) {
      throw new IllegalStateException("control server channels are closed");
    }
    return channels.computeIfAbsent(server, s -> factory.open(s, keyManager, trustManager));
  }

  /**
   * Whether the channel to {@code server} has an established connection (TCP and TLS handshake
   * done), as gRPC sees it now.
   */
  public boolean isReady(HostPort server) {
    ManagedChannel ch = channels.get(server);
    if (ch == null) {
      return false;
    }
    try {
      return ch.getState(false) == ConnectivityState.READY;
    } catch (UnsupportedOperationException e) {
      return false; // a channel that cannot tell is not shown as connected
    }
  }

  /**
   * The servers in the order to try them: the one that answered last first (unless it is {@code
   * avoid}), then the others in random order, {@code avoid} last.
   */
  public List<HostPort> order(@Nullable HostPort avoid) {
    List<HostPort> rest = new ArrayList<>(servers);
    for (int i = rest.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      HostPort t = rest.get(i);
      rest.set(i, rest.get(j));
      rest.set(j, t);
    }
    HostPort first = preferred;
    if (first != null && !first.equals(avoid) && rest.remove(first)) {
      rest.add(0, first);
    }
    if (avoid != null && rest.remove(avoid)) {
      rest.add(avoid);
    }
    return rest;
  }

  /** Remembers that {@code server} answered, so the next call goes there first. */
  public void answered(HostPort server) {
    preferred = server;
  }

  /** Whether a failed call with {@code status} might succeed on another server or later. */
  public static boolean retryable(Status status) {
    return RETRYABLE.contains(status.getCode());
  }

  /**
   * Calls {@code rpc} on one server after another until one answers, for at most {@code rounds}
   * passes over all servers.
   *
   * @throws ControlPlaneException when every attempt failed with a retryable error (the last one as
   *     cause), or at once on an error that another server would give too
   * @throws InterruptedException when interrupted while backing off
   */
  public <T> T call(String what, int rounds, Rpc<T> rpc) throws InterruptedException {
    StatusRuntimeException last = null;
    HostPort lastServer = null;
    for (int round = 0; round < rounds; round++) {
      if (round > 0) {
        Duration delay = backoff.delay(round - 1);
        TimeUnit.NANOSECONDS.sleep(delay.toNanos());
      }
      for (HostPort server : order(null)) {
        if (closed) {
          throw new ControlPlaneException(
              what + ": agent is shutting down", Status.CANCELLED, null);
        }
        trustManager.clear();
        try {
          T result = rpc.call(channel(server));
          answered(server);
          return result;
        } catch (StatusRuntimeException e) {
          String message = describe(what, server, e);
          if (!retryable(e.getStatus())) {
            throw new ControlPlaneException(message, e.getStatus(), e);
          }
          log.debug("{}", message);
          last = e;
          lastServer = server;
        }
      }
    }
    Status status = last == null ? Status.UNAVAILABLE : last.getStatus();
    String message =
        last == null || lastServer == null
            ? what + ": no control server answered"
            : what + ": no control server answered; last: " + describe(what, lastServer, last);
    throw new ControlPlaneException(message, status, last);
  }

  /** {@code grpc, agent => host:port, what: CODE description (tls: why)}. */
  public String describe(String what, HostPort server, StatusRuntimeException e) {
    String tls = trustManager.lastRejection();
    String description = e.getStatus().getDescription();
    return "grpc, agent => "
        + server
        + ", "
        + what
        + ": "
        + e.getStatus().getCode()
        + (description == null ? "" : " " + description)
        + (tls == null ? "" : " (server certificate rejected: " + tls + ")");
  }

  @Override
  public void close() {
    closed = true;
    for (ManagedChannel ch : channels.values()) {
      ch.shutdownNow();
    }
    for (ManagedChannel ch : channels.values()) {
      try {
        ch.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
