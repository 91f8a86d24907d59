package io.raftmesh.agent.cli;

import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Supplies option values from the environment: option {@code --admin-port} reads {@code
 * RAFTMESH_AGENT_ADMIN_PORT} (for every subcommand of {@code raftmesh agent}). A flag beats the
 * variable; the config file and the built-in defaults come after both (see {@link AgentCommand}).
 */
final class EnvDefaults implements CommandLine.IDefaultValueProvider {
  static final String PREFIX = "RAFTMESH_AGENT_";

  private final Map<String, String> env;

  EnvDefaults(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  static String variable(String optionName) {
    return PREFIX + optionName.replaceFirst("^--", "").toUpperCase(Locale.ROOT).replace('-', '_');
  }

  @Override
  public @Nullable String defaultValue(ArgSpec argSpec) {
    if (argSpec instanceof OptionSpec option) {
      String value = env.get(variable(option.longestName()));
      if (value != null) {
        return value;
      }
    }
    return argSpec.defaultValue();
  }
}
