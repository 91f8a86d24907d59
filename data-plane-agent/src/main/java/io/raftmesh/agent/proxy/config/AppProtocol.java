package io.raftmesh.agent.proxy.config;

import io.raftmesh.proto.v1.Protocol;

/** The application protocol a service speaks, which decides how the proxy handles it. */
public enum AppProtocol {
  /** Opaque bytes: connection-level balancing only. */
  TCP,
  /** HTTP/1.1 to the application. */
  HTTP,
  /** HTTP/2 cleartext (prior knowledge) to the application. */
  HTTP2,
  /** gRPC over HTTP/2 cleartext to the application. */
  GRPC;

  /** Whether requests are proxied one by one (routing, retries, per-request metrics). */
  public boolean isHttp() {
    return this != TCP;
  }

  /** Whether the application speaks HTTP/2. */
  public boolean isH2() {
    return this == HTTP2 || this == GRPC;
  }

  /** Maps the wire enum; unspecified means TCP. */
  public static AppProtocol of(Protocol protocol) {
    switch (protocol) {
      case HTTP:
        return HTTP;
      case HTTP2:
        return HTTP2;
      case GRPC:
        return GRPC;
      default:
        return TCP;
    }
  }
}
