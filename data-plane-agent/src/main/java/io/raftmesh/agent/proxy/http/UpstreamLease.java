package io.raftmesh.agent.proxy.http;

import io.netty.channel.Channel;

/**
 * One request's use of an upstream: an HTTP/2 stream, or an HTTP/1.1 connection lent from its pool.
 * Request objects ({@code HttpRequest}, {@code HttpContent}) are written to {@link #channel()};
 * response objects arrive at the {@link ResponseListener} the lease was acquired for.
 */
interface UpstreamLease {
  /** Where the request's objects are written. */
  Channel channel();

  /**
   * Ends the lease. With {@code reusable} (the response and request both completed cleanly) an
   * HTTP/1.1 connection goes back to its pool; otherwise it closes. An HTTP/2 stream that is still
   * open is reset.
   */
  void release(boolean reusable);
}
