package io.raftmesh.server.testing.xds;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves {@code raftmesh-servers:///127.0.0.1:7443,127.0.0.1:7444} to those addresses, in order,
 * with authority {@code localhost}: an xDS bootstrap's {@code server_uri} naming every control
 * server, so grpc-java's pick-first moves to the next server when the one it uses dies (in
 * production a DNS name with one record per server does the same).
 */
public final class ServerListResolver extends NameResolverProvider {
  public static final String SCHEME = "raftmesh-servers";
  private static final ServerListResolver INSTANCE = new ServerListResolver();
  private static boolean registered;

  /** Registers the scheme once in the default registry. */
  public static synchronized void register() {
    if (!registered) {
      NameResolverRegistry.getDefaultRegistry().register(INSTANCE);
      registered = true;
    }
  }

  /** The target for {@code hostPorts}. */
  public static String target(List<String> hostPorts) {
    return SCHEME + ":///" + String.join(",", hostPorts);
  }

  @Override
  public NameResolver newNameResolver(URI uri, NameResolver.Args args) {
    if (!SCHEME.equals(uri.getScheme())) {
      return null;
    }
    List<EquivalentAddressGroup> groups = new ArrayList<>();
    for (String hp : uri.getPath().substring(1).split(",")) {
      int colon = hp.lastIndexOf(':');
      SocketAddress a =
          new InetSocketAddress(hp.substring(0, colon), Integer.parseInt(hp.substring(colon + 1)));
      groups.add(new EquivalentAddressGroup(a));
    }
    return new NameResolver() {
      @Override
      public String getServiceAuthority() {
        return "localhost";
      }

      @Override
      public void start(Listener2 listener) {
        listener.onResult(ResolutionResult.newBuilder().setAddresses(groups).build());
      }

      @Override
      public void shutdown() {}
    };
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }

  @Override
  public String getDefaultScheme() {
    return SCHEME;
  }
}
