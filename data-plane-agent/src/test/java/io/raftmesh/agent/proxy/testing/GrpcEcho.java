package io.raftmesh.agent.proxy.testing;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real gRPC server (grpc-java) with one bidirectional streaming method, {@code test.Echo/Chat},
 * on raw bytes (no generated code): each message comes back prefixed with "echo:"; the stream ends
 * with status OK and a custom trailer; the caller identity header is recorded.
 */
public final class GrpcEcho implements AutoCloseable {
  /** The method. */
  public static final MethodDescriptor<byte[], byte[]> CHAT =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
          .setFullMethodName("test.Echo/Chat")
          .setRequestMarshaller(new Bytes())
          .setResponseMarshaller(new Bytes())
          .build();

  /** The trailer key the server sets. */
  public static final Metadata.Key<String> TRAILER =
      Metadata.Key.of("x-echo-trailer", Metadata.ASCII_STRING_MARSHALLER);

  private static final Metadata.Key<String> PEER =
      Metadata.Key.of("x-raftmesh-peer-identity", Metadata.ASCII_STRING_MARSHALLER);

  private final Server server;
  private final AtomicReference<String> lastPeer = new AtomicReference<>();

  /** Starts on an ephemeral loopback port. */
  public GrpcEcho() throws IOException {
    ServerServiceDefinition def =
        ServerServiceDefinition.builder("test.Echo")
            .addMethod(
                CHAT,
                ServerCalls.asyncBidiStreamingCall(
                    out ->
                        new StreamObserver<byte[]>() {
                          @Override
                          public void onNext(byte[] value) {
                            byte[] r = new byte[value.length + 5];
                            System.arraycopy(
                                "echo:".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                                0,
                                r,
                                0,
                                5);
                            System.arraycopy(value, 0, r, 5, value.length);
                            out.onNext(r);
                          }

                          @Override
                          public void onError(Throwable t) {}

                          @Override
                          public void onCompleted() {
                            out.onCompleted();
                          }
                        }))
            .build();
    ServerInterceptor capture =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            lastPeer.set(headers.get(PEER));
            return next.startCall(
                new io.grpc.ForwardingServerCall.SimpleForwardingServerCall<Q, R>(call) {
                  @Override
                  public void close(Status status, Metadata trailers) {
                    trailers.put(TRAILER, "bye");
                    super.close(status, trailers);
                  }
                },
                headers);
          }
        };
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(ServerInterceptors.intercept(def, capture))
            .build()
            .start();
  }

  /** Where it listens (all interfaces; dial 127.0.0.1). */
  public InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", server.getPort());
  }

  /** The identity header of the latest call. */
  public String lastPeer() {
    return lastPeer.get();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
