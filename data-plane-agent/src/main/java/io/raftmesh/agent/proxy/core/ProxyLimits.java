package io.raftmesh.agent.proxy.core;

import java.util.concurrent.TimeUnit;

/**
 * Limits that protect the proxy from misbehaving clients and bound its memory.
 *
 * @param maxInitialLineBytes longest HTTP/1.1 request line
 * @param maxHeaderBytes largest header block (HTTP/1.1 and HTTP/2)
 * @param maxChunkBytes largest body chunk the decoder hands over at once
 * @param requestHeaderTimeoutNanos time a connection gets to send a complete request head
 *     (slowloris protection)
 * @param downstreamIdleTimeoutNanos idle client connections close after this
 * @param tlsHandshakeTimeoutNanos TLS handshakes must finish within this
 * @param retryBufferBytes request bodies up to this size are kept for retries; larger ones are not
 *     retried
 * @param maxConcurrentStreams HTTP/2 streams per connection (both directions)
 */
public record ProxyLimits(
    int maxInitialLineBytes,
    int maxHeaderBytes,
    int maxChunkBytes,
    long requestHeaderTimeoutNanos,
    long downstreamIdleTimeoutNanos,
    long tlsHandshakeTimeoutNanos,
    int retryBufferBytes,
    int maxConcurrentStreams) {

  /** Defaults suited to a sidecar. */
  public static final ProxyLimits DEFAULT =
      new ProxyLimits(
          8192,
          16384,
          16384,
          TimeUnit.SECONDS.toNanos(10),
          TimeUnit.SECONDS.toNanos(300),
          TimeUnit.SECONDS.toNanos(5),
          64 * 1024,
          256);

  /** Validates the limits are positive. */
  public ProxyLimits {
    if (maxInitialLineBytes <= 0 || maxHeaderBytes <= 0 || maxChunkBytes <= 0) {
      throw new IllegalArgumentException(
          "HTTP size limits: "
              + maxInitialLineBytes
              + "/"
              + maxHeaderBytes
              + "/"
              + maxChunkBytes
              + " (expected: > 0)");
    }
    if (requestHeaderTimeoutNanos <= 0
        || downstreamIdleTimeoutNanos <= 0
        || tlsHandshakeTimeoutNanos <= 0) {
      throw new IllegalArgumentException("timeouts (expected: > 0)");
    }
    if (retryBufferBytes < 0 || maxConcurrentStreams < 1) {
      throw new IllegalArgumentException(
          "retryBufferBytes/maxConcurrentStreams: "
              + retryBufferBytes
              + "/"
              + maxConcurrentStreams
              + " (expected: >= 0 / >= 1)");
    }
  }

  /** The same limits with another request-head timeout. */
  public ProxyLimits withRequestHeaderTimeoutNanos(long nanos) {
    return new ProxyLimits(
        maxInitialLineBytes,
        maxHeaderBytes,
        maxChunkBytes,
        nanos,
        downstreamIdleTimeoutNanos,
        tlsHandshakeTimeoutNanos,
        retryBufferBytes,
        maxConcurrentStreams);
  }
}
