package io.raftmesh.agent.proxy.tcp;

import io.raftmesh.agent.proxy.metrics.AccessLog;
import io.raftmesh.agent.proxy.metrics.EdgeMetrics;
import io.raftmesh.agent.proxy.metrics.ProxyMetrics;
import org.jspecify.annotations.Nullable;

/**
 * One proxied TCP connection's accounting: bytes each way, how it ended, and the single metrics and
 * access-log record written when it closes. Touched only from the connection's event loop.
 */
final class TcpSession {
  private final ProxyMetrics metrics;
  private final String direction;
  private final @Nullable String source;
  private final String destination;
  private final long startNanos = System.nanoTime();
  private final long startMillis = System.currentTimeMillis();
  private @Nullable EdgeMetrics edge;
  private @Nullable String upstream;
  private long received;
  private long sent;
  private boolean clean = true;
  private boolean open;
  private boolean done;

  TcpSession(ProxyMetrics metrics, String direction, @Nullable String source, String destination) {
    this.metrics = metrics;
    this.direction = direction;
    this.source = source;
    this.destination = destination;
  }

  /** The connection to the upstream is established; it now counts as a proxied connection. */
  void opened(EdgeMetrics edgeMetrics, String upstreamAddress) {
    this.edge = edgeMetrics;
    this.upstream = upstreamAddress;
    this.open = true;
    edgeMetrics.tcpOpened();
    metrics.tcpActive(direction, 1);
  }

  void count(boolean fromClient, long bytes) {
    if (fromClient) {
      received += bytes;
    } else {
      sent += bytes;
    }
  }

  void failed(Throwable cause) {
    clean = false;
  }

  /** Either side closed; the first call records the connection. */
  void closed() {
    if (done) {
      return;
    }
    done = true;
    long duration = System.nanoTime() - startNanos;
    EdgeMetrics e = edge;
    if (open && e != null) {
      e.tcpClosed(received, sent, clean, duration);
      metrics.tcpActive(direction, -1);
    }
    if (AccessLog.enabled()) {
      AccessLog.log(
          startMillis,
          direction,
          null,
          source,
          destination,
          "TCP",
          "",
          open ? 200 : 503,
          duration,
          upstream,
          0,
          "rx=" + received + ",tx=" + sent + (clean ? "" : ",error"));
    }
  }
}
