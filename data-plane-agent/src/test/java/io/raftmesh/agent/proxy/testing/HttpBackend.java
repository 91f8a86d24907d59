package io.raftmesh.agent.proxy.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real HTTP/1.1 application on loopback (the JDK's server: keep-alive, chunked): answers with its
 * name, echoes the request body, records the last request's headers, and can be told to fail, hang
 * or delay.
 */
public final class HttpBackend implements AutoCloseable {
  /** What the backend does with one request. */
  public interface Behaviour {
    /** Returns the status to answer, or -1 to hang until closed. */
    int status(HttpExchange exchange, int requestNumber) throws Exception;
  }

  private final String name;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicReference<Map<String, List<String>>> lastHeaders = new AtomicReference<>();
  private volatile Behaviour behaviour = (e, n) -> 200;

  /** Starts a backend named {@code name} on an ephemeral loopback port. */
  public HttpBackend(String name) throws IOException {
    this.name = name;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  private void handle(HttpExchange e) throws IOException {
    int n = requests.incrementAndGet();
    lastHeaders.set(Map.copyOf(e.getRequestHeaders()));
    byte[] in;
    try (InputStream is = e.getRequestBody()) {
      in = is.readAllBytes();
    }
    int status;
    try {
      status = behaviour.status(e, n);
    } catch (Exception ex) {
      status = 500;
    }
    if (status < 0) {
      try {
        Thread.sleep(30_000); // Hang: the proxy's timeout must act first.
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
      e.close();
      return;
    }
    byte[] body =
        (name
                + " "
                + e.getRequestMethod()
                + " "
                + e.getRequestURI()
                + " "
                + new String(in, StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.UTF_8);
    e.getResponseHeaders().set("x-backend", name);
    e.sendResponseHeaders(status, body.length);
    try (OutputStream os = e.getResponseBody()) {
      os.write(body);
    }
  }

  /** Where the backend listens. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** The backend's name (first word of each response body, and the x-backend header). */
  public String name() {
    return name;
  }

  /** Requests seen so far. */
  public int requests() {
    return requests.get();
  }

  /** Resets the request count. */
  public void resetCount() {
    requests.set(0);
  }

  /** The headers of the latest request (lower-case names as the JDK server normalizes them). */
  public Map<String, List<String>> lastHeaders() {
    return lastHeaders.get();
  }

  /** Changes what the backend does. */
  public void behave(Behaviour b) {
    this.behaviour = b;
  }

  @Override
  public void close() throws InterruptedException {
    server.stop(0);
    executor.shutdownNow();
    executor.awaitTermination(5, TimeUnit.SECONDS);
  }
}
