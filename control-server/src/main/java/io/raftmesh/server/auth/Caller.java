package io.raftmesh.server.auth;

import io.grpc.Context;
import io.raftmesh.ca.identity.SpiffeId;
import java.security.cert.X509Certificate;

/**
 * The authenticated caller of an RPC, from its verified client certificate: a control server, an
 * admin, a node, or nobody (no certificate: only enrollment accepts that). Set by {@link
 * CallerInterceptor} in the call's {@link Context}.
 */
public sealed interface Caller {

  /** The kinds of caller, as the access policy names them. */
  enum Role {
    /** A control server: {@code spiffe://<td>/control/<id>}. */
    CONTROL,
    /** An administrator: {@code spiffe://<td>/admin/<name>}. */
    ADMIN,
    /** An enrolled node's agent: {@code spiffe://<td>/node/<name>}. */
    NODE,
    /** No client certificate. */
    ANONYMOUS
  }

  /** The key of the caller in the gRPC context. */
  Context.Key<Caller> KEY = Context.key("raftmesh-caller");

  /** This caller's role. */
  Role role();

  /** A printable form for logs and error messages (the SPIFFE ID, or "anonymous"). */
  String describe();

  /**
   * The caller of the current call.
   *
   * @throws IllegalStateException outside a call that went through {@link CallerInterceptor}
   */
  static Caller current() {
    Caller c = KEY.get();
    if (c == null) {
      throw new IllegalStateException("no caller in the gRPC context (is the interceptor on?)");
    }
    return c;
  }

  /** A control server. */
  record Control(String id, SpiffeId spiffeId) implements Caller {
    @Override
    public Role role() {
      return Role.CONTROL;
    }

    @Override
    public String describe() {
      return spiffeId.toString();
    }
  }

  /** An administrator. */
  record Admin(String name, SpiffeId spiffeId) implements Caller {
    @Override
    public Role role() {
      return Role.ADMIN;
    }

    @Override
    public String describe() {
      return spiffeId.toString();
    }
  }

  /**
   * A node's agent.
   *
   * @param name the node name
   * @param spiffeId its SPIFFE ID
   * @param certificate the leaf it presented
   */
  record Node(String name, SpiffeId spiffeId, X509Certificate certificate) implements Caller {
    @Override
    public Role role() {
      return Role.NODE;
    }

    @Override
    public String describe() {
      return spiffeId.toString();
    }
  }

  /** A caller without a client certificate. */
  record Anonymous() implements Caller {
    @Override
    public Role role() {
      return Role.ANONYMOUS;
    }

    @Override
    public String describe() {
      return "anonymous (no client certificate)";
    }
  }
}
