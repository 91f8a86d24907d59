package io.raftmesh.agent.proxy.http;

import io.netty.handler.codec.http.HttpObject;
import org.jspecify.annotations.Nullable;

/** Receives what an upstream lease produces. Called on the lease's event loop. */
interface ResponseListener {
  /** Called once the lease is ready for writing. */
  void onAcquired(UpstreamLease lease);

  /** Called instead of {@link #onAcquired} when no lease could be had. */
  void onAcquireFailed(AcquireFailure failure, String detail);

  /** A response object; the listener owns (and must release) it. */
  void onResponseObject(HttpObject msg);

  /** The upstream read a batch; a good time to flush downstream. */
  void onResponseReadComplete();

  /** The stream or connection ended, possibly before the response completed. */
  void onUpstreamClosed(@Nullable Throwable cause);

  /** The upstream's writability changed (backpressure on the request body). */
  void onUpstreamWritabilityChanged(boolean writable);

  /** Why no lease could be had. */
  enum AcquireFailure {
    /** The connection (TCP, TLS, identity check, HTTP/2 preface) failed or timed out. */
    CONNECT,
    /** The destination's connection limit was reached and no connection could take the request. */
    MAX_CONNECTIONS,
    /** The destination's limit of requests waiting for a connection was reached. */
    MAX_PENDING
  }
}
