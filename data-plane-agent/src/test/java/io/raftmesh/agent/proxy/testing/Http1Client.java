package io.raftmesh.agent.proxy.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** An HTTP/1.1 keep-alive client (the JDK's) that dials a proxy listener with a mesh Host. */
public final class Http1Client {
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final int port;

  /** A client of the listener on 127.0.0.1:{@code port}. */
  public Http1Client(int port) {
    this.port = port;
  }

  /** GET {@code path} with Host {@code host}. */
  public HttpResponse<String> get(String host, String path, String... headers) throws Exception {
    return send("GET", host, path, null, headers);
  }

  /** Sends one request; {@code body} null for none. */
  public HttpResponse<String> send(
      String method, String host, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .header("Host", host)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The underlying client, for streaming bodies. */
  public HttpClient raw() {
    return client;
  }
}
