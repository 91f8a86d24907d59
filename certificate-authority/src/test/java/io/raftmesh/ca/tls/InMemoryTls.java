package io.raftmesh.ca.tls;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import org.jspecify.annotations.Nullable;

/**
 * Two SSLEngines wrapping and unwrapping into each other's buffers: a real TLS handshake and an
 * exchange of one message each way, with no sockets. Bounded to a fixed number of rounds.
 */
final class InMemoryTls {
  static final String CLIENT_MESSAGE = "hello from the client";
  static final String SERVER_MESSAGE = "hello from the server";

  record Result(
      @Nullable SSLException clientError,
      @Nullable SSLException serverError,
      String clientReceived,
      String serverReceived,
      SSLSession clientSession,
      SSLSession serverSession) {
    boolean succeeded() {
      return clientError == null
          && serverError == null
          && clientReceived.equals(SERVER_MESSAGE)
          && serverReceived.equals(CLIENT_MESSAGE);
    }
  }

  private InMemoryTls() {}

  static SSLContext context(@Nullable KeyManager keyManager, TrustManager trustManager)
      throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(
        keyManager == null ? null : new KeyManager[] {keyManager},
        new TrustManager[] {trustManager},
        null);
    return context;
  }

  static Result handshake(
      SSLContext clientContext, SSLContext serverContext, String protocol, boolean needClientAuth)
      throws Exception {
    SSLEngine client = clientContext.createSSLEngine("server.invalid", 443);
    client.setUseClientMode(true);
    client.setEnabledProtocols(new String[] {protocol});
    SSLEngine server = serverContext.createSSLEngine();
    server.setUseClientMode(false);
    server.setEnabledProtocols(new String[] {protocol});
    if (needClientAuth) {
      server.setNeedClientAuth(true);
    } else {
      server.setWantClientAuth(true);
    }
    int packet = client.getSession().getPacketBufferSize() * 4;
    int app = client.getSession().getApplicationBufferSize() * 4;
    ByteBuffer clientOut = ByteBuffer.wrap(CLIENT_MESSAGE.getBytes(StandardCharsets.UTF_8));
    ByteBuffer serverOut = ByteBuffer.wrap(SERVER_MESSAGE.getBytes(StandardCharsets.UTF_8));
    ByteBuffer clientToServer = ByteBuffer.allocate(packet);
    ByteBuffer serverToClient = ByteBuffer.allocate(packet);
    ByteBuffer clientIn = ByteBuffer.allocate(app);
    ByteBuffer serverIn = ByteBuffer.allocate(app);
    SSLException clientError = null;
    SSLException serverError = null;
    for (int round = 0; round < 200; round++) {
      if (clientError == null) {
        try {
          client.wrap(clientOut, clientToServer);
          runTasks(client);
        } catch (SSLException e) {
          clientError = e;
        }
      }
      if (serverError == null) {
        try {
          server.wrap(serverOut, serverToClient);
          runTasks(server);
        } catch (SSLException e) {
          serverError = e;
        }
      }
      // After a failure the engine still emits its alert through wrap.
      if (clientError != null) {
        wrapQuietly(client, clientToServer);
      }
      if (serverError != null) {
        wrapQuietly(server, serverToClient);
      }
      clientToServer.flip();
      serverToClient.flip();
      if (clientError == null) {
        try {
          client.unwrap(serverToClient, clientIn);
          runTasks(client);
        } catch (SSLException e) {
          clientError = e;
        }
      }
      if (serverError == null) {
        try {
          server.unwrap(clientToServer, serverIn);
          runTasks(server);
        } catch (SSLException e) {
          serverError = e;
        }
      }
      clientToServer.compact();
      serverToClient.compact();
      boolean exchanged =
          received(clientIn).equals(SERVER_MESSAGE) && received(serverIn).equals(CLIENT_MESSAGE);
      boolean bothFailed = clientError != null && serverError != null;
      boolean quiet = clientToServer.position() == 0 && serverToClient.position() == 0;
      if (exchanged
          || bothFailed
          || (quiet && (clientError != null || serverError != null) && round > 20)) {
        break;
      }
    }
    return new Result(
        clientError,
        serverError,
        received(clientIn),
        received(serverIn),
        client.getSession(),
        server.getSession());
  }

  private static void wrapQuietly(SSLEngine engine, ByteBuffer out) {
    try {
      engine.wrap(ByteBuffer.allocate(0), out);
    } catch (SSLException e) {
      // Already failed; this only flushes the alert.
    }
  }

  private static String received(ByteBuffer buffer) {
    return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
  }

  private static void runTasks(SSLEngine engine) {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
  }
}
