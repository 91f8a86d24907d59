package io.raftmesh.agent.health;

import io.raftmesh.agent.config.HealthCheckConfig;
import io.raftmesh.agent.config.LocalServiceConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * The real probes: an HTTP GET of the configured path on the application port (2xx and 3xx pass),
 * or a TCP connect to it.
 */
public final class NetworkProbe implements HealthProbe {
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  @Override
  public Result check(LocalServiceConfig service) {
    HealthCheckConfig check = service.health();
    return switch (check.kind()) {
      case NONE -> new Result(true, "no check");
      case TCP -> tcp(service, check);
      case HTTP -> http(service, check);
    };
  }

  private static Result tcp(LocalServiceConfig service, HealthCheckConfig check) {
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(service.appAddress(), service.appPort()),
          (int) check.timeout().toMillis());
      return new Result(true, "connect: ok");
    } catch (IOException e) {
      return new Result(
          false,
          "connect " + service.appAddress() + ":" + service.appPort() + ": " + e.getMessage());
    }
  }

  private Result http(LocalServiceConfig service, HealthCheckConfig check) {
    String host =
        service.appAddress().contains(":")
            ? "[" + service.appAddress() + "]"
            : service.appAddress();
    URI uri = URI.create("http://" + host + ":" + service.appPort() + check.httpPath());
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(check.timeout()).GET().build();
    try {
      HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
      int code = response.statusCode();
      return new Result(code >= 200 && code < 400, "GET " + check.httpPath() + ": " + code);
    } catch (IOException e) {
      return new Result(false, "GET " + check.httpPath() + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(false, "GET " + check.httpPath() + ": interrupted");
    }
  }
}
