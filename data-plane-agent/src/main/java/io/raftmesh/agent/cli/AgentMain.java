package io.raftmesh.agent.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Map;
import picocli.CommandLine;

/**
 * Entry point of {@code raftmesh agent} (the launcher runs this jar for the {@code agent}
 * subcommand; a leading {@code agent} argument is accepted and dropped). Exit codes are in {@link
 * ExitCodes}.
 */
public final class AgentMain {
  private AgentMain() {}

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(
        run(
            args,
            System.getenv(),
            new PrintWriter(
                new java.io.OutputStreamWriter(System.out, java.nio.charset.StandardCharsets.UTF_8),
                true),
            new PrintWriter(
                new java.io.OutputStreamWriter(System.err, java.nio.charset.StandardCharsets.UTF_8),
                true)));
  }

  /**
   * Runs one command line against {@code env}, returning the exit code (never exits the JVM; the
   * run mode returns when the agent stops).
   */
  public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    String[] rest =
        args.length > 0 && args[0].equals("agent")
            ? Arrays.copyOfRange(args, 1, args.length)
            : args;
    CommandLine cmd = commandLine(env);
    cmd.setOut(out);
    cmd.setErr(err);
    return cmd.execute(rest);
  }

  static CommandLine commandLine(Map<String, String> env) {
    CommandLine cmd = new CommandLine(new AgentCommand(env));
    cmd.setDefaultValueProvider(new EnvDefaults(env));
    cmd.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          err.println("error: " + ex.getMessage());
          err.flush();
          return ex instanceof UsageException ? ExitCodes.USAGE : ExitCodes.FAILURE;
        });
    cmd.setParameterExceptionHandler(
        (ex, args) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          err.println("error: " + ex.getMessage());
          err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
          err.flush();
          return ExitCodes.USAGE;
        });
    return cmd;
  }

  static String version() {
    String v = AgentMain.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
