package io.raftmesh.chaos.workload;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The two loopback HTTP services of the traffic workload, in the harness JVM: a {@code backend}
 * that answers {@code backend <n>} (and {@code /healthz}), and a {@code frontend} that calls the
 * backend through its agent's outbound listener ({@code Host: backend}) and returns what it got, or
 * 502 naming the error. Not mesh-aware: the agents' proxies carry the calls over mutual TLS.
 */
final class MeshServices implements AutoCloseable {
  /** What the backend's answers start with. */
  static final String BACKEND_REPLY = "backend ";

  private final HttpServer backend;
  private final HttpServer frontend;
  private final ExecutorService pool = Executors.newFixedThreadPool(16, daemonThreads());
  private final AtomicLong served = new AtomicLong();
  private volatile int outboundPort;
  private final Duration timeout;

  private MeshServices(Duration timeout) throws IOException {
    this.timeout = timeout;
    InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    backend = HttpServer.create(any, 64);
    frontend = HttpServer.create(any, 64);
    backend.createContext("/", this::serveBackend);
    frontend.createContext("/", this::serveFrontend);
    backend.setExecutor(pool);
    frontend.setExecutor(pool);
  }

  /** Starts both; the frontend calls through {@link #callThrough(int)}'s port once it is set. */
  static MeshServices start(Duration timeout) throws IOException {
    MeshServices s = new MeshServices(timeout);
    s.backend.start();
    s.frontend.start();
    return s;
  }

  /** Where the frontend's calls to the backend go: the outbound listener of its agent. */
  void callThrough(int port) {
    outboundPort = port;
  }

  int backendPort() {
    return backend.getAddress().getPort();
  }

  int frontendPort() {
    return frontend.getAddress().getPort();
  }

  /** Requests the backend answered. */
  long backendServed() {
    return served.get();
  }

  private void serveBackend(HttpExchange x) throws IOException {
    String body =
        x.getRequestURI().getPath().equals("/healthz")
            ? "ok"
            : BACKEND_REPLY + served.incrementAndGet();
    reply(x, 200, body);
  }

  private void serveFrontend(HttpExchange x) throws IOException {
    if (x.getRequestURI().getPath().equals("/healthz")) {
      reply(x, 200, "ok");
      return;
    }
    Reply r;
    try {
      r = get(new InetSocketAddress(InetAddress.getLoopbackAddress(), outboundPort), "backend");
    } catch (IOException e) {
      reply(x, 502, "frontend: calling backend through the mesh: " + e);
      return;
    }
    reply(x, r.status() == 200 ? 200 : 502, r.status() == 200 ? r.body() : r.describe());
  }

  private static void reply(HttpExchange x, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.sendResponseHeaders(status, b.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(b);
    }
  }

  /** An HTTP answer. */
  record Reply(int status, String body) {
    String describe() {
      return "HTTP " + status + ": " + (body.length() > 200 ? body.substring(0, 200) : body);
    }
  }

  /**
   * One {@code GET /} with the given {@code Host} header on a fresh connection ({@code Connection:
   * close}, so no pooled connection hides a broken path), read to the end within the timeout. A raw
   * socket because the JDK clients refuse to set {@code Host}.
   */
  Reply get(InetSocketAddress to, String host) throws IOException {
    try (Socket s = new Socket()) {
      int ms = (int) timeout.toMillis();
      s.connect(to, ms);
      s.setSoTimeout(ms);
      String req = "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
      s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      String raw = readAll(s.getInputStream(), System.nanoTime() + timeout.toNanos());
      int eol = raw.indexOf("\r\n");
      String[] statusLine = (eol < 0 ? raw : raw.substring(0, eol)).split(" ", 3);
      if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
        throw new IOException(
            "not an HTTP answer: " + raw.substring(0, Math.min(80, raw.length())));
      }
      int status;
      try {
        status = Integer.parseInt(statusLine[1]);
      } catch (NumberFormatException e) {
        throw new IOException("bad status line: " + statusLine[1], e);
      }
      int bodyAt = raw.indexOf("\r\n\r\n");
      return new Reply(status, bodyAt < 0 ? "" : raw.substring(bodyAt + 4));
    }
  }

  private static String readAll(InputStream in, long deadline) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    int n;
    while ((n = in.read(buf)) >= 0) {
      out.write(buf, 0, n);
      if (out.size() > 1 << 20 || System.nanoTime() - deadline > 0) {
        throw new IOException("answer too large or too slow");
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    return r -> {
      Thread t = new Thread(r, "mesh-service");
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    frontend.stop(0);
    backend.stop(0);
    pool.shutdownNow();
  }
}
