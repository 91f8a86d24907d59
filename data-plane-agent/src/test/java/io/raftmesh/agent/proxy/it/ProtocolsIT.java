package io.raftmesh.agent.proxy.it;

import static io.raftmesh.agent.proxy.testing.Resources.authz;
import static io.raftmesh.agent.proxy.testing.Resources.endpoint;
import static io.raftmesh.agent.proxy.testing.Resources.meshConfig;
import static io.raftmesh.agent.proxy.testing.Resources.rule;
import static io.raftmesh.agent.proxy.testing.Resources.service;
import static io.raftmesh.agent.proxy.testing.TestMesh.NS;
import static io.raftmesh.agent.proxy.testing.TestMesh.TD;
import static io.raftmesh.agent.proxy.testing.TestMesh.inboundPort;
import static io.raftmesh.agent.proxy.testing.TestMesh.svc;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.raftmesh.agent.proxy.SidecarProxy;
import io.raftmesh.agent.proxy.config.AppProtocol;
import io.raftmesh.agent.proxy.config.LocalService;
import io.raftmesh.agent.proxy.testing.EchoServer;
import io.raftmesh.agent.proxy.testing.GrpcEcho;
import io.raftmesh.agent.proxy.testing.H2c;
import io.raftmesh.agent.proxy.testing.Http1Client;
import io.raftmesh.agent.proxy.testing.HttpBackend;
import io.raftmesh.agent.proxy.testing.TestMesh;
import io.raftmesh.proto.v1.AuthorizationAction;
import io.raftmesh.proto.v1.Protocol;
import io.raftmesh.proto.v1.Resource;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** HTTP/2, gRPC streaming and TCP through real proxies, and certificate rotation under load. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProtocolsIT {
  private static final String WEB_ID = "spiffe://" + TD + "/ns/shop/sa/web";
  private final TestMesh mesh = new TestMesh();
  private H2c.Server h2app;
  private GrpcEcho grpc;
  private EchoServer echo;
  private HttpBackend http;
  private SidecarProxy h2p;
  private SidecarProxy gp;
  private SidecarProxy ep;
  private SidecarProxy hp;
  private SidecarProxy web;
  private SidecarProxy intruder;

  @BeforeAll
  void startMesh() throws Exception {
    h2app = new H2c.Server();
    grpc = new GrpcEcho();
    echo = new EchoServer();
    http = new HttpBackend("api");
    h2p = mesh.server("h2svc", AppProtocol.HTTP2, h2app.address());
    gp = mesh.server("grpc-svc", AppProtocol.GRPC, grpc.address());
    ep = mesh.server("echo", AppProtocol.TCP, echo.address());
    hp = mesh.server("api", AppProtocol.HTTP, http.address());
    InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
    web =
        mesh.client(
            "web",
            List.of(
                LocalService.Upstream.http(svc("h2svc")),
                LocalService.Upstream.http(svc("grpc-svc")),
                LocalService.Upstream.http(svc("api")),
                LocalService.Upstream.tcp(svc("echo"), any)));
    intruder = mesh.client("intruder", List.of(LocalService.Upstream.tcp(svc("echo"), any)));
    List<Resource> r = new ArrayList<>();
    r.add(meshConfig(TD, false));
    r.add(service(NS, "web", Protocol.HTTP));
    r.add(service(NS, "intruder", Protocol.HTTP));
    r.add(service(NS, "h2svc", Protocol.HTTP2));
    r.add(service(NS, "grpc-svc", Protocol.GRPC));
    r.add(service(NS, "echo", Protocol.TCP));
    r.add(service(NS, "api", Protocol.HTTP));
    r.add(endpoint(NS, "h2svc", "n1", inboundPort(h2p, "h2svc"), Map.of()));
    r.add(endpoint(NS, "grpc-svc", "n1", inboundPort(gp, "grpc-svc"), Map.of()));
    r.add(endpoint(NS, "echo", "n1", inboundPort(ep, "echo"), Map.of()));
    r.add(endpoint(NS, "api", "n1", inboundPort(hp, "api"), Map.of()));
    for (String s : List.of("h2svc", "grpc-svc", "echo", "api")) {
      r.add(
          authz(
              NS,
              s,
              AuthorizationAction.DENY,
              rule(AuthorizationAction.ALLOW, "spiffe://" + TD + "/ns/shop/sa/w*", WEB_ID)));
    }
    mesh.applyAll(r, 1);
  }

  @AfterAll
  void stopMesh() throws Exception {
    mesh.close();
    h2app.close();
    grpc.close();
    echo.close();
    http.close();
  }

  private InetSocketAddress webHttp() {
    return web.outboundHttpAddress(svc("web"));
  }

  @Test
  void http2RequestReachesH2AppWithIdentityAndTrailers() throws Exception {
    try (H2c.Client c = new H2c.Client(webHttp())) {
      FullHttpResponse r = c.send("h2svc", HttpMethod.POST, "/h2/path?q=1", "hello");
      assertThat(r.status().code()).isEqualTo(200);
      assertThat(r.content().toString(StandardCharsets.UTF_8))
          .isEqualTo("h2 POST /h2/path?q=1 hello");
      assertThat(r.trailingHeaders().get("x-trailer")).isEqualTo("done");
      assertThat(h2app.lastHeaders().get("x-raftmesh-peer-identity")).isEqualTo(WEB_ID);
      r.release();
    }
  }

  @Test
  void http11ClientReachesH2App() throws Exception {
    var r = new Http1Client(webHttp().getPort()).send("POST", "h2svc", "/mixed", "abc");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("h2 POST /mixed abc");
  }

  @Test
  void grpcBidiStreamingCarriesMessagesTrailersAndIdentity() throws Exception {
    ManagedChannel ch = grpcChannel();
    try {
      Chat chat = new Chat(ch);
      for (int i = 0; i < 20; i++) {
        chat.send("m" + i);
        assertThat(chat.next()).isEqualTo("echo:m" + i);
      }
      chat.call.halfClose();
      Chat.End end = chat.closed.get(10, TimeUnit.SECONDS);
      assertThat(end.status().getCode()).isEqualTo(Status.Code.OK);
      assertThat(end.trailers().get(GrpcEcho.TRAILER)).isEqualTo("bye");
      assertThat(grpc.lastPeer()).isEqualTo(WEB_ID);
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void tcpPassthroughRelaysBytesBothWays() throws Exception {
    try (Socket s = tcp(web)) {
      byte[] data = new byte[1 << 20];
      for (int i = 0; i < data.length; i++) {
        data[i] = (byte) (i * 31);
      }
      Future<byte[]> back =
          Executors.newSingleThreadExecutor()
              .submit(
                  () -> {
                    byte[] in = new byte[data.length];
                    new DataInputStream(s.getInputStream()).readFully(in);
                    return in;
                  });
      s.getOutputStream().write(data);
      s.getOutputStream().flush();
      assertThat(back.get(20, TimeUnit.SECONDS)).isEqualTo(data);
    }
  }

  @Test
  void tcpCallerNotAllowedIsClosed() throws Exception {
    double before = mesh.counter(ep, "raftmesh_proxy_authorization_denials");
    try (Socket s = tcp(intruder)) {
      s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    assertThat(mesh.counter(ep, "raftmesh_proxy_authorization_denials")).isEqualTo(before + 1);
  }

  @Test
  void certificateRotationMidLoadDropsNoConnection() throws Exception {
    ManagedChannel ch = grpcChannel();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger httpFailures = new AtomicInteger();
    AtomicInteger httpOk = new AtomicInteger();
    try (Socket tcp = tcp(web)) {
      Chat chat = new Chat(ch);
      chat.send("before");
      assertThat(chat.next()).isEqualTo("echo:before");
      Http1Client c = new Http1Client(webHttp().getPort());
      Future<?> load =
          pool.submit(
              () -> {
                for (int i = 0; i < 5000 && !stop.get(); i++) {
                  try {
                    if (c.get("api", "/rot").statusCode() == 200) {
                      httpOk.incrementAndGet();
                    } else {
                      httpFailures.incrementAndGet();
                    }
                  } catch (Exception e) {
                    httpFailures.incrementAndGet();
                  }
                }
                return null;
              });
      Thread.sleep(300);
      X509ExtendedKeyManager fresh = mesh.pki().workload(NS, "api");
      X509Certificate freshCert =
          fresh.getCertificateChain(fresh.chooseServerAlias("EC", null, null))[0];
      hp.putIdentity(svc("api"), fresh);
      gp.putIdentity(svc("grpc-svc"), mesh.pki().workload(NS, "grpc-svc"));
      ep.putIdentity(svc("echo"), mesh.pki().workload(NS, "echo"));
      web.putIdentity(svc("web"), mesh.pki().workload(NS, "web"));
      Thread.sleep(300);
      // The long-lived connections opened before the rotation still work.
      for (int i = 0; i < 10; i++) {
        chat.send("after" + i);
        assertThat(chat.next()).isEqualTo("echo:after" + i);
      }
      OutputStream out = tcp.getOutputStream();
      InputStream in = tcp.getInputStream();
      out.write("still-open".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(new String(in.readNBytes(10), StandardCharsets.US_ASCII)).isEqualTo("still-open");
      stop.set(true);
      load.get(30, TimeUnit.SECONDS);
      chat.call.halfClose();
      assertThat(chat.closed.get(10, TimeUnit.SECONDS).status().isOk()).isTrue();
      assertThat(httpFailures.get()).isZero();
      assertThat(httpOk.get()).isPositive();
      // New handshakes present the new certificate.
      assertThat(serverSerial(inboundPort(hp, "api"))).isEqualTo(freshCert.getSerialNumber());
    } finally {
      stop.set(true);
      pool.shutdownNow();
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private BigInteger serverSerial(int port) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(
        new KeyManager[] {mesh.pki().workload(NS, "web")},
        new TrustManager[] {mesh.pki().trustManager()},
        null);
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.startHandshake();
      return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  private static Socket tcp(SidecarProxy client) throws Exception {
    String name =
        client == null
            ? "web"
            : client.outboundTcpAddress(svc("web"), svc("echo")) != null ? "web" : "intruder";
    InetSocketAddress a = client.outboundTcpAddress(svc(name), svc("echo"));
    Socket s = new Socket(a.getAddress(), a.getPort());
    s.setSoTimeout(10_000);
    return s;
  }

  private ManagedChannel grpcChannel() {
    return Grpc.newChannelBuilderForAddress(
            "127.0.0.1", webHttp().getPort(), InsecureChannelCredentials.create())
        .overrideAuthority("grpc-svc")
        .build();
  }

  /** A bidi call with a blocking view of its responses. */
  private static final class Chat {
    record End(Status status, Metadata trailers) {}

    final ClientCall<byte[], byte[]> call;
    final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    final CompletableFuture<End> closed = new CompletableFuture<>();

    Chat(ManagedChannel ch) {
      call = ch.newCall(GrpcEcho.CHAT, CallOptions.DEFAULT);
      call.start(
          new ClientCall.Listener<>() {
            @Override
            public void onMessage(byte[] message) {
              received.add(message);
              call.request(1);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
              closed.complete(new End(status, trailers));
            }
          },
          new Metadata());
      call.request(1);
    }

    void send(String s) {
      call.sendMessage(s.getBytes(StandardCharsets.UTF_8));
    }

    String next() throws Exception {
      byte[] m = received.poll(10, TimeUnit.SECONDS);
      if (m == null) {
        throw new AssertionError("no message; call ended: " + closed.getNow(null));
      }
      return new String(m, StandardCharsets.UTF_8);
    }
  }
}
