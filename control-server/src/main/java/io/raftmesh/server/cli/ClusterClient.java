package io.raftmesh.server.cli;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Channels to every control server an admin command may use. A call goes to the first server; if
 * that server is unreachable or has no quorum ({@code UNAVAILABLE}), to the next. Writes carry
 * request ids, so trying another server never applies a request twice.
 */
final class ClusterClient implements AutoCloseable {

  private final List<String> servers;
  private final CliContext.ChannelOpener opener;
  private final Duration deadline;
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();

  ClusterClient(List<String> servers, CliContext.ChannelOpener opener, Duration deadline) {
    this.servers = List.copyOf(servers);
    this.opener = opener;
    this.deadline = deadline;
  }

  Duration deadline() {
    return deadline;
  }

  List<String> servers() {
    return servers;
  }

  /**
   * Runs {@code rpc} against the servers in turn until one answers. The function gets a channel and
   * the deadline in milliseconds.
   *
   * @throws StatusRuntimeException the last server's error when none answered, or the first error
   *     that is not {@code UNAVAILABLE}
   */
  <T> T call(BiFunction<Channel, Long, T> rpc) {
    List<StatusRuntimeException> failures = new ArrayList<>();
    for (String server : servers) {
      try {
        return rpc.apply(channel(server), deadline.toMillis());
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
          throw e;
        }
        failures.add(e);
      }
    }
    StatusRuntimeException last = failures.get(failures.size() - 1);
    StringBuilder why = new StringBuilder("no control server answered:");
    for (int i = 0; i < failures.size(); i++) {
      why.append(' ')
          .append(servers.get(i))
          .append(" (")
          .append(describe(failures.get(i)))
          .append(')');
      if (i < failures.size() - 1) {
        why.append(';');
      }
    }
    throw Status.UNAVAILABLE.withDescription(why.toString()).withCause(last).asRuntimeException();
  }

  /** A channel to one named server (for calls that must go to a particular one). */
  Channel channel(String server) {
    return channels.computeIfAbsent(server, opener::open);
  }

  private static String describe(StatusRuntimeException e) {
    String d = e.getStatus().getDescription();
    if (d == null && e.getCause() != null) {
      d = e.getCause().getMessage();
    }
    return d == null ? e.getStatus().getCode().toString() : d;
  }

  @Override
  public void close() {
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels.values()) {
      try {
        c.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
