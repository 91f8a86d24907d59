package io.raftmesh.server.cli;

import io.grpc.ManagedChannel;
import java.io.InputStream;
import java.util.Map;
import java.util.function.Function;

/**
 * What one run of the command line gets from its surroundings: the environment, standard input, and
 * how to open a channel to a control server (TLS from a TLS dir in real use, in-process in tests).
 *
 * @param env environment variables
 * @param stdin standard input (for {@code apply -f -})
 * @param channels opens a channel to {@code host:port} with the given client options
 */
record CliContext(
    Map<String, String> env, InputStream stdin, Function<ClientOptions, ChannelOpener> channels) {

  /** Opens channels to servers. */
  interface ChannelOpener {
    ManagedChannel open(String server);
  }
}
