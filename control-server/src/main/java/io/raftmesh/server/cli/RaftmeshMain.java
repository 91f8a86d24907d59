package io.raftmesh.server.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;

/**
 * Entry point of the {@code raftmesh} command. Exit codes: 0 success, 1 runtime failure, 2 usage
 * error (a bad flag, environment variable or config file), as {@code docs/exit-codes.md} says.
 */
public final class RaftmeshMain {

  /** Success. */
  public static final int OK = 0;

  /** The command ran and failed (a server refused, a file could not be written, ...). */
  public static final int FAILURE = 1;

  /** The command line, environment or config file was wrong. */
  public static final int USAGE = 2;

  private RaftmeshMain() {}

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    // A server logs its events at INFO; a CLI command prints its own results and logs only
    // warnings (no "tls key material updated" lines around `raftmesh status`), unless
    // RAFTMESH_LOG_LEVEL says otherwise. Set before logback reads its configuration.
    boolean server = args.length > 0 && args[0].equals("server");
    if (!server
        && System.getenv("RAFTMESH_LOG_LEVEL") == null
        && System.getProperty("RAFTMESH_LOG_LEVEL") == null) {
      System.setProperty("RAFTMESH_LOG_LEVEL", "WARN");
    }
    System.exit(
        run(
            args,
            System.getenv(),
            new PrintWriter(System.out, true),
            new PrintWriter(System.err, true)));
  }

  /**
   * Runs one command line against the given environment and streams, returning the exit code (for
   * tests and embedding; never exits the JVM).
   */
  public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    return run(
        args, new CliContext(env, System.in, options -> new TlsChannels(options.tls())), out, err);
  }

  static int run(String[] args, CliContext context, PrintWriter out, PrintWriter err) {
    CommandLine cmd = commandLine(context);
    cmd.setOut(out);
    cmd.setErr(err);
    return cmd.execute(args);
  }

  static CommandLine commandLine(Map<String, String> env) {
    return commandLine(new CliContext(env, System.in, options -> new TlsChannels(options.tls())));
  }

  static CommandLine commandLine(CliContext context) {
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    CommandLine.IFactory factory =
        new CommandLine.IFactory() {
          @Override
          public <K> K create(Class<K> cls) throws Exception {
            K k = defaults.create(cls);
            if (k instanceof ClientOptions options) {
              options.context(context);
            }
            return k;
          }
        };
    CommandLine cmd = new CommandLine(new RaftmeshCommand(), factory);
    cmd.setDefaultValueProvider(SettingsSource.environment(context.env(), "RAFTMESH_"));
    // The server's settings have their own prefix: RAFTMESH_SERVER_GRPC_PORT for --grpc-port.
    CommandLine server = cmd.getSubcommands().get("server");
    if (server != null) {
      server.setDefaultValueProvider(SettingsSource.environment(context.env(), "RAFTMESH_SERVER_"));
    }
    cmd.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          if (ex instanceof UsageException) {
            err.println("error: " + ex.getMessage());
            err.flush();
            return USAGE;
          }
          err.println("error: " + Errors.describe(ex));
          err.flush();
          return FAILURE;
        });
    cmd.setParameterExceptionHandler(
        (ex, args) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          err.println("error: " + ex.getMessage());
          err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
          err.flush();
          return USAGE;
        });
    return cmd;
  }
}
