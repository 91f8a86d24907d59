package io.raftmesh.agent.proxy.config;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A service that runs on this node, as the agent describes it from its config file: what the proxy
 * listens on for it and where the application is.
 *
 * @param name the service (its workload identity is derived from it)
 * @param protocol the protocol the application speaks
 * @param inboundListen where the inbound mutual-TLS listener binds (the Endpoint's address:port)
 * @param app where the local application listens (normally loopback)
 * @param outboundHttpListen where the loopback HTTP listener for this service's HTTP upstreams
 *     binds, or null when it declares none
 * @param upstreams the services it calls
 */
public record LocalService(
    ServiceName name,
    AppProtocol protocol,
    InetSocketAddress inboundListen,
    InetSocketAddress app,
    @Nullable InetSocketAddress outboundHttpListen,
    List<Upstream> upstreams) {

  /** Validates that HTTP upstreams have a listener and that TCP listen ports are distinct. */
  public LocalService {
    requireNonNull(name, "name");
    requireNonNull(protocol, "protocol");
    requireNonNull(inboundListen, "inboundListen");
    requireNonNull(app, "app");
    upstreams = List.copyOf(upstreams);
    Set<ServiceName> seen = new HashSet<>();
    for (Upstream u : upstreams) {
      if (!seen.add(u.service())) {
        throw new IllegalArgumentException(
            "upstreams: " + u.service() + " twice (expected: each upstream once)");
      }
      if (u.tcpListen() == null && outboundHttpListen == null) {
        throw new IllegalArgumentException(
            "outboundHttpListen: null (expected: an address, since HTTP upstream "
                + u.service()
                + " is declared)");
      }
    }
  }

  /**
   * A service that a local service calls.
   *
   * @param service the destination
   * @param tcpListen for a TCP upstream, the loopback address of its own listener; null for an HTTP
   *     upstream, reached through the service's HTTP listener by {@code Host}
   */
  public record Upstream(ServiceName service, @Nullable InetSocketAddress tcpListen) {
    /** Requires the service. */
    public Upstream {
      requireNonNull(service, "service");
    }

    /**
     * An HTTP upstream, reached by Host {@code name}, {@code name.namespace} or either with a port.
     */
    public static Upstream http(ServiceName service) {
      return new Upstream(service, null);
    }

    /** A TCP upstream with its own loopback listener. */
    public static Upstream tcp(ServiceName service, InetSocketAddress listen) {
      return new Upstream(service, requireNonNull(listen, "listen"));
    }
  }
}
