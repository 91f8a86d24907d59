package io.raftmesh.agent.proxy.it;

import static io.raftmesh.agent.proxy.testing.Resources.authz;
import static io.raftmesh.agent.proxy.testing.Resources.endpoint;
import static io.raftmesh.agent.proxy.testing.Resources.meshConfig;
import static io.raftmesh.agent.proxy.testing.Resources.route;
import static io.raftmesh.agent.proxy.testing.Resources.rule;
import static io.raftmesh.agent.proxy.testing.Resources.service;
import static io.raftmesh.agent.proxy.testing.TestMesh.NS;
import static io.raftmesh.agent.proxy.testing.TestMesh.TD;
import static io.raftmesh.agent.proxy.testing.TestMesh.inboundPort;
import static io.raftmesh.agent.proxy.testing.TestMesh.svc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmesh.agent.proxy.SidecarProxy;
import io.raftmesh.agent.proxy.config.AppProtocol;
import io.raftmesh.agent.proxy.config.LocalService;
import io.raftmesh.agent.proxy.metrics.EdgeSummary;
import io.raftmesh.agent.proxy.testing.Http1Client;
import io.raftmesh.agent.proxy.testing.HttpBackend;
import io.raftmesh.agent.proxy.testing.TestMesh;
import io.raftmesh.proto.v1.AuthorizationAction;
import io.raftmesh.proto.v1.HeaderMatch;
import io.raftmesh.proto.v1.HttpMatch;
import io.raftmesh.proto.v1.HttpRoute;
import io.raftmesh.proto.v1.Protocol;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.TrafficRouteSpec;
import io.raftmesh.proto.v1.WeightedTarget;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** HTTP/1.1 through a real outbound proxy and real inbound proxies over mutual TLS. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpProxyIT {
  private final TestMesh mesh = new TestMesh();
  private HttpBackend v1;
  private HttpBackend v2;
  private SidecarProxy api1;
  private SidecarProxy api2;
  private SidecarProxy web;
  private SidecarProxy intruder;
  private long revision;

  @BeforeAll
  void startMesh() throws Exception {
    v1 = new HttpBackend("v1");
    v2 = new HttpBackend("v2");
    api1 = mesh.server("api", AppProtocol.HTTP, v1.address());
    api2 = mesh.server("api", AppProtocol.HTTP, v2.address());
    web = mesh.client("web", List.of(LocalService.Upstream.http(svc("api"))));
    intruder = mesh.client("intruder", List.of(LocalService.Upstream.http(svc("api"))));
  }

  @AfterAll
  void stopMesh() throws Exception {
    mesh.close();
    v1.close();
    v2.close();
  }

  @BeforeEach
  void reset() {
    v1.behave((e, n) -> 200);
    v2.behave((e, n) -> 200);
    v1.resetCount();
    v2.resetCount();
  }

  private List<Resource> base() {
    List<Resource> r = new ArrayList<>();
    r.add(meshConfig(TD, false));
    r.add(service(NS, "web", Protocol.HTTP));
    r.add(service(NS, "intruder", Protocol.HTTP));
    r.add(service(NS, "api", Protocol.HTTP, "v1:version=v1", "v2:version=v2"));
    r.add(endpoint(NS, "api", "n1", inboundPort(api1, "api"), Map.of("version", "v1")));
    r.add(endpoint(NS, "api", "n2", inboundPort(api2, "api"), Map.of("version", "v2")));
    r.add(
        authz(
            NS,
            "api",
            AuthorizationAction.DENY,
            rule(AuthorizationAction.ALLOW, "spiffe://" + TD + "/ns/shop/sa/web")));
    return r;
  }

  private void apply(List<Resource> resources) throws Exception {
    mesh.applyAll(resources, ++revision);
  }

  private Http1Client webClient() {
    return new Http1Client(web.outboundHttpAddress(svc("web")).getPort());
  }

  @Test
  void http11RequestReachesBackendWithVerifiedCallerIdentity() throws Exception {
    apply(base());
    Http1Client c = webClient();
    HttpResponse<String> r =
        c.get("api", "/hello?x=1", "x-raftmesh-peer-identity", "spiffe://evil/ns/x/sa/y");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("GET /hello?x=1");
    HttpBackend hit = r.body().startsWith("v1") ? v1 : v2;
    assertThat(hit.lastHeaders().get("X-raftmesh-peer-identity"))
        .containsExactly("spiffe://" + TD + "/ns/shop/sa/web");
    assertThat(hit.lastHeaders().get("Traceparent")).hasSize(1);
  }

  @Test
  void chunkedBodiesAndKeepAliveWork() throws Exception {
    apply(base());
    Http1Client c = webClient();
    String big = "x".repeat(200_000);
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = c.send("POST", "api", "/echo/" + i, big);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).endsWith(big).contains("POST /echo/" + i);
    }
  }

  @Test
  void traceparentKeepsTraceIdAndGetsNewSpanPerHop() throws Exception {
    apply(base());
    String incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    HttpResponse<String> r = webClient().get("api", "/t", "traceparent", incoming);
    assertThat(r.statusCode()).isEqualTo(200);
    HttpBackend hit = r.body().startsWith("v1") ? v1 : v2;
    String seen = hit.lastHeaders().get("Traceparent").get(0);
    assertThat(seen).startsWith("00-0af7651916cd43dd8448eb211c80319c-").endsWith("-01");
    assertThat(seen).doesNotContain("b7ad6b7169203331");
  }

  @Test
  void callerNotAllowedByPolicyGets403AndIsCounted() throws Exception {
    apply(base());
    Http1Client c = new Http1Client(intruder.outboundHttpAddress(svc("intruder")).getPort());
    HttpResponse<String> r = c.get("api", "/secret");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("x-raftmesh-error")).hasValue("forbidden");
    assertThat(v1.requests() + v2.requests()).isZero();
    assertThat(
            mesh.counter(api1, "raftmesh_proxy_authorization_denials")
                + mesh.counter(api2, "raftmesh_proxy_authorization_denials"))
        .isEqualTo(1);
    assertThat(webClient().get("api", "/ok").statusCode()).isEqualTo(200);
  }

  @Test
  void unknownHostGets404() throws Exception {
    apply(base());
    HttpResponse<String> r = webClient().get("nope", "/");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("x-raftmesh-error")).hasValue("unknown-host");
  }

  @Test
  void clientWithoutMeshCertificateCannotConnectToInbound() throws Exception {
    apply(base());
    int port = inboundPort(api1, "api");
    // TLS without a client certificate: the handshake fails.
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, new TrustManager[] {new TrustAll()}, null);
    try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      assertThatThrownBy(
              () -> {
                s.startHandshake();
                s.getOutputStream()
                    .write(
                        "GET / HTTP/1.1\r\nhost: api\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                if (s.getInputStream().read() < 0) {
                  throw new java.io.EOFException("closed");
                }
              })
          .isInstanceOf(java.io.IOException.class);
    }
    // Plaintext in strict mode: closed without an answer.
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write("GET / HTTP/1.1\r\nhost: api\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      assertThat(in.read()).isEqualTo(-1);
    }
    assertThat(v1.requests()).isZero();
  }

  @Test
  void weightedSplitLandsWithinToleranceAndHeaderMatchOverridesIt() throws Exception {
    List<Resource> r = base();
    r.add(
        route(
            NS,
            "api",
            TrafficRouteSpec.newBuilder()
                .setDestination("api")
                .addRoutes(
                    HttpRoute.newBuilder()
                        .setName("canary-header")
                        .addMatches(
                            HttpMatch.newBuilder()
                                .addHeaders(
                                    HeaderMatch.newBuilder().setName("x-canary").setExact("yes")))
                        .addSplit(WeightedTarget.newBuilder().setSubset("v2").setWeight(100)))
                .addRoutes(
                    HttpRoute.newBuilder()
                        .setName("split")
                        .addSplit(WeightedTarget.newBuilder().setSubset("v1").setWeight(90))
                        .addSplit(WeightedTarget.newBuilder().setSubset("v2").setWeight(10)))
                .build()));
    apply(r);
    Http1Client c = webClient();
    int n = 2000;
    for (int i = 0; i < n; i++) {
      assertThat(c.get("api", "/split").statusCode()).isEqualTo(200);
    }
    // Binomial(2000, 0.9): sd ~ 13.4; +-6 sd keeps this from ever flaking on a correct split.
    assertThat(v1.requests()).isBetween(1720, 1880);
    assertThat(v2.requests()).isEqualTo(n - v1.requests());
    v1.resetCount();
    v2.resetCount();
    for (int i = 0; i < 200; i++) {
      assertThat(c.get("api", "/split", "x-canary", "yes").statusCode()).isEqualTo(200);
    }
    assertThat(v2.requests()).isEqualTo(200);
    assertThat(v1.requests()).isZero();
  }

  @Test
  void edgeSummariesCountRequestsPerEdge() throws Exception {
    apply(base());
    web.drainEdgeSummaries();
    Http1Client c = webClient();
    v1.behave((e, n) -> e.getRequestURI().getPath().equals("/fail") ? 500 : 200);
    v2.behave((e, n) -> e.getRequestURI().getPath().equals("/fail") ? 500 : 200);
    for (int i = 0; i < 10; i++) {
      c.get("api", "/ok");
    }
    for (int i = 0; i < 5; i++) {
      c.get("api", "/fail");
    }
    // The proxy records a request just after the response leaves; poll briefly for the last one.
    long requests = 0;
    long successes = 0;
    long bucketed = 0;
    for (int i = 0; i < 50 && requests < 15; i++) {
      for (EdgeSummary e : web.drainEdgeSummaries()) {
        if (e.destination().equals("shop/api")) {
          assertThat(e.direction()).isEqualTo("outbound");
          assertThat(e.source()).isEqualTo("shop/web");
          requests += e.requests();
          successes += e.successes();
          bucketed += e.bucketCounts().stream().mapToLong(Long::longValue).sum();
        }
      }
      Thread.sleep(20);
    }
    assertThat(requests).isEqualTo(15);
    assertThat(successes).isEqualTo(10);
    assertThat(bucketed).isEqualTo(15);
    assertThat(web.drainEdgeSummaries()).noneMatch(e -> e.destination().equals("shop/api"));
  }

  /** Trusts any server: this client only proves that the inbound listener wants a certificate. */
  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

    @Override
    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
      return new java.security.cert.X509Certificate[0];
    }
  }
}
