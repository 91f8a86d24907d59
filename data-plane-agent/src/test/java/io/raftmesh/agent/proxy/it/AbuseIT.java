package io.raftmesh.agent.proxy.it;

import static io.raftmesh.agent.proxy.testing.Resources.endpoint;
import static io.raftmesh.agent.proxy.testing.Resources.meshConfig;
import static io.raftmesh.agent.proxy.testing.Resources.service;
import static io.raftmesh.agent.proxy.testing.TestMesh.NS;
import static io.raftmesh.agent.proxy.testing.TestMesh.TD;
import static io.raftmesh.agent.proxy.testing.TestMesh.inboundPort;
import static io.raftmesh.agent.proxy.testing.TestMesh.svc;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.raftmesh.agent.proxy.SidecarProxy;
import io.raftmesh.agent.proxy.config.AppProtocol;
import io.raftmesh.agent.proxy.config.LocalService;
import io.raftmesh.agent.proxy.core.ProxyLimits;
import io.raftmesh.agent.proxy.testing.Http1Client;
import io.raftmesh.agent.proxy.testing.HttpBackend;
import io.raftmesh.agent.proxy.testing.TestMesh;
import io.raftmesh.proto.v1.Protocol;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Malformed, oversized and slow clients: clear 4xx or a close, bounded memory, others served. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AbuseIT {
  private final TestMesh mesh = new TestMesh();
  private HttpBackend app;
  private SidecarProxy api;
  private SidecarProxy web;
  private int port;

  @BeforeAll
  void startMesh() throws Exception {
    mesh.limits(
        ProxyLimits.DEFAULT.withRequestHeaderTimeoutNanos(TimeUnit.MILLISECONDS.toNanos(500)));
    app = new HttpBackend("api");
    api = mesh.server("api", AppProtocol.HTTP, app.address());
    web = mesh.client("web", List.of(LocalService.Upstream.http(svc("api"))));
    mesh.applyAll(
        List.of(
            meshConfig(TD, true),
            service(NS, "web", Protocol.HTTP),
            service(NS, "api", Protocol.HTTP),
            endpoint(NS, "api", "n1", inboundPort(api, "api"), Map.of())),
        1);
    port = web.outboundHttpAddress(svc("web")).getPort();
  }

  @AfterAll
  void stopMesh() throws Exception {
    mesh.close();
    app.close();
  }

  @Test
  void malformedRequestLineGets400AndClose() throws Exception {
    String res = exchange("THIS IS NOT HTTP\r\n\r\n");
    assertThat(res).startsWith("HTTP/1.1 400");
    assertThat(servedNormally()).isTrue();
  }

  @Test
  void oversizedHeadersGet431() throws Exception {
    String res =
        exchange("GET / HTTP/1.1\r\nhost: api\r\nx-big: " + "a".repeat(40_000) + "\r\n\r\n");
    assertThat(res).startsWith("HTTP/1.1 431");
    String line = exchange("GET /" + "b".repeat(20_000) + " HTTP/1.1\r\nhost: api\r\n\r\n");
    assertThat(line).startsWith("HTTP/1.1 414");
    assertThat(servedNormally()).isTrue();
  }

  @Test
  void invalidChunkedBodyClosesTheConnection() throws Exception {
    String res =
        exchange(
            "POST / HTTP/1.1\r\nhost: api\r\ntransfer-encoding: chunked\r\n\r\nZZZ\r\nxx\r\n0\r\n\r\n");
    // Either refused outright or cut off: never a 200 for a body the proxy could not parse.
    assertThat(res).doesNotStartWith("HTTP/1.1 200");
    assertThat(servedNormally()).isTrue();
  }

  @Test
  void nonNormalizedPathIsRefusedByTheInboundProxy() throws Exception {
    var r = new Http1Client(port).get("api", "/public/../admin");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("x-raftmesh-error")).hasValue("non-normalized-path");
  }

  @Test
  void slowlorisClientsAreCutOffWhileOthersAreServedAndMemoryStaysBounded() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 40; i++) {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(5000);
        s.getOutputStream()
            .write("GET / HTTP/1.1\r\nhost: api\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        slow.add(s);
      }
      // Trickle one header byte at a time, slower than the 500 ms head timeout allows.
      for (int round = 0; round < 4; round++) {
        for (Socket s : slow) {
          try {
            s.getOutputStream().write('x');
            s.getOutputStream().flush();
          } catch (java.io.IOException closed) {
            // Already cut off.
          }
        }
        assertThat(servedNormally()).isTrue();
        Thread.sleep(200);
      }
      int cut = 0;
      for (Socket s : slow) {
        // The proxy must have answered 408 and closed (EOF), not left the socket hanging.
        if (readsToEndOf408(s.getInputStream())) {
          cut++;
        }
      }
      assertThat(cut).isEqualTo(slow.size());
      // The proxies use Netty's default allocator; what it holds stays small.
      long used =
          ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
      assertThat(used).isLessThan(64L << 20);
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  private boolean servedNormally() throws Exception {
    return new Http1Client(port).get("api", "/ok").statusCode() == 200;
  }

  private String exchange(String raw) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(raw.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return readAll(s.getInputStream());
    }
  }

  private static boolean readsToEndOf408(InputStream in) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] b = new byte[4096];
    try {
      int n;
      while ((n = in.read(b)) >= 0) {
        buf.write(b, 0, n);
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException reset) {
      return buf.size() == 0 || buf.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 408");
    }
    return buf.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 408");
  }

  private static String readAll(InputStream in) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] b = new byte[4096];
    try {
      int n;
      while ((n = in.read(b)) >= 0) {
        buf.write(b, 0, n);
      }
    } catch (SocketTimeoutException | java.net.SocketException e) {
      // What arrived before the timeout or reset is the answer.
    }
    return buf.toString(StandardCharsets.US_ASCII);
  }
}
