package io.raftmesh.server.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.raftmesh.ca.identity.InvalidSpiffeIdException;
import io.raftmesh.ca.identity.MeshIdentity;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.server.auth.Caller.Role;
import io.raftmesh.server.metrics.ServerMetrics;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Identifies the caller of every RPC from its TLS client certificate (already verified against the
 * trust bundle during the handshake) and enforces the {@link AccessPolicy} before the method runs:
 * no certificate where one is needed is UNAUTHENTICATED, the wrong identity (or a removed node) is
 * PERMISSION_DENIED. Each refusal is counted and logged (throttled).
 */
public final class CallerInterceptor implements ServerInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(CallerInterceptor.class);

  private final TrustDomain trustDomain;
  private final AccessPolicy policy;
  private final EnrolledNodes nodes;
  private final ServerMetrics metrics;
  private final ThrottledLog refusals = new ThrottledLog(LOG, TimeUnit.SECONDS.toNanos(10));

  /** An interceptor for callers of {@code trustDomain}. */
  public CallerInterceptor(
      TrustDomain trustDomain, AccessPolicy policy, EnrolledNodes nodes, ServerMetrics metrics) {
    this.trustDomain = trustDomain;
    this.policy = policy;
    this.nodes = nodes;
    this.metrics = metrics;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Caller caller = identify(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
    Set<Role> allowed = policy.allowed(method);
    SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    if (!allowed.contains(caller.role())) {
      if (caller instanceof Caller.Anonymous && !allowed.isEmpty()) {
        return refuse(
            call,
            Status.UNAUTHENTICATED,
            "no_certificate",
            method + " needs a client certificate with a mesh identity (" + describe(allowed) + ")",
            caller,
            remote);
      }
      return refuse(
          call,
          Status.PERMISSION_DENIED,
          "wrong_identity",
          caller.describe()
              + " may not call "
              + method
              + " (expected: "
              + (allowed.isEmpty() ? "nobody: not in the access policy" : describe(allowed))
              + ")",
          caller,
          remote);
    }
    if (caller instanceof Caller.Node node
        && !method.endsWith("/Enroll")
        && !nodes.isEnrolled(node.name())) {
      return refuse(
          call,
          Status.PERMISSION_DENIED,
          "removed_node",
          "node " + node.name() + " is not enrolled (removed?); enroll it again with a join token",
          caller,
          remote);
    }
    Context context = Context.current().withValue(Caller.KEY, caller);
    return Contexts.interceptCall(context, call, headers, next);
  }

  private <Q, A> ServerCall.Listener<Q> refuse(
      ServerCall<Q, A> call,
      Status status,
      String reason,
      String description,
      Caller caller,
      @Nullable SocketAddress remote) {
    metrics.authorizationFailures.labelValues(reason).inc();
    refusals.warn(
        reason,
        "refused call reason={} method={} caller={} remote={}",
        reason,
        call.getMethodDescriptor().getFullMethodName(),
        caller.describe(),
        remote);
    call.close(status.withDescription(description), new Metadata());
    return new ServerCall.Listener<>() {};
  }

  /** The caller presenting the session's peer certificate, or anonymous without one. */
  Caller identify(@Nullable SSLSession session) {
    if (session == null) {
      return new Caller.Anonymous();
    }
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return new Caller.Anonymous();
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return new Caller.Anonymous();
    }
    SpiffeId id;
    MeshIdentity identity;
    try {
      id = SpiffeId.fromCertificate(leaf);
      identity = MeshIdentity.of(id);
    } catch (InvalidSpiffeIdException e) {
      // The handshake only lets mesh identities through; anything else gets no role.
      return new Caller.Anonymous();
    }
    if (!id.trustDomain().equals(trustDomain)) {
      return new Caller.Anonymous();
    }
    if (identity instanceof MeshIdentity.ControlServer c) {
      return new Caller.Control(c.id(), id);
    }
    if (identity instanceof MeshIdentity.Admin a) {
      return new Caller.Admin(a.name(), id);
    }
    if (identity instanceof MeshIdentity.Node n) {
      return new Caller.Node(n.name(), id, leaf);
    }
    return new Caller.Anonymous();
  }

  private static String describe(Set<Role> roles) {
    return roles.stream()
        .map(r -> r.name().toLowerCase(Locale.ROOT))
        .sorted()
        .collect(Collectors.joining(" or "));
  }
}
