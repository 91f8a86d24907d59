package io.raftmesh.server.testing.xds;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.InsecureServerCredentials;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A loopback gRPC server whose one method, {@code test.Who/Name}, answers with the server's name:
 * the endpoint a test registers, so a client's calls show which endpoint took them.
 */
public final class WhoBackend implements AutoCloseable {
  /** The method: request and response are UTF-8 strings. */
  public static final MethodDescriptor<String, String> NAME =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("test.Who/Name")
          .setRequestMarshaller(new Utf8())
          .setResponseMarshaller(new Utf8())
          .build();

  private final String name;
  private final Server server;

  private WhoBackend(String name, Server server) {
    this.name = name;
    this.server = server;
  }

  /** Starts a backend named {@code name} on a free loopback port. */
  public static WhoBackend start(String name) {
    ServerServiceDefinition service =
        ServerServiceDefinition.builder("test.Who")
            .addMethod(
                NAME,
                ServerCalls.asyncUnaryCall(
                    (req, out) -> {
                      out.onNext(name);
                      out.onCompleted();
                    }))
            .build();
    Server s =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
            .addService(service)
            .build();
    try {
      s.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new WhoBackend(name, s);
  }

  public String name() {
    return name;
  }

  public int port() {
    return server.getPort();
  }

  /** One call on {@code channel}: the name of the backend that took it. */
  public static String call(Channel channel, long timeoutMillis) {
    return ClientCalls.blockingUnaryCall(
        channel,
        NAME,
        CallOptions.DEFAULT.withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS),
        "who");
  }

  @Override
  public void close() {
    server.shutdownNow();
  }

  private static final class Utf8 implements MethodDescriptor.Marshaller<String> {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
