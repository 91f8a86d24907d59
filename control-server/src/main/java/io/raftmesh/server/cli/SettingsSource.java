package io.raftmesh.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Supplies option values that were not given as flags, in the order flag &gt; environment &gt; file
 * &gt; default. The environment variable of option {@code --grpc-port} of command {@code server} is
 * {@code RAFTMESH_SERVER_GRPC_PORT}; of a client command's {@code --servers}, {@code
 * RAFTMESH_SERVERS}. The file is YAML with the option names as keys ({@code grpc-port: 7443}).
 */
final class SettingsSource implements CommandLine.IDefaultValueProvider {

  private final Map<String, String> env;
  private final String envPrefix;
  private final @Nullable JsonNode file;

  private SettingsSource(Map<String, String> env, String envPrefix, @Nullable JsonNode file) {
    this.env = env;
    this.envPrefix = envPrefix;
    this.file = file;
  }

  /** Environment only, variables named {@code <envPrefix><OPTION>}. */
  static SettingsSource environment(Map<String, String> env, String envPrefix) {
    return new SettingsSource(env, envPrefix, null);
  }

  /**
   * Environment, then the YAML file at {@code path}.
   *
   * @throws UsageException naming the file when it is missing, unreadable or not a YAML mapping
   */
  static SettingsSource withFile(Map<String, String> env, String envPrefix, Path path) {
    JsonNode tree;
    try {
      tree = new YAMLMapper().readTree(Files.readString(path));
    } catch (NoSuchFileException e) {
      throw new UsageException("--config=" + path + " is not valid: no such file");
    } catch (IOException e) {
      throw new UsageException("--config=" + path + " is not valid: " + firstLine(e.getMessage()));
    }
    if (tree == null || !tree.isObject()) {
      throw new UsageException(
          "--config=" + path + " is not valid: expected a YAML mapping of option names to values");
    }
    return new SettingsSource(env, envPrefix, tree);
  }

  /**
   * This source with the YAML file at {@code path} behind the environment (flag &gt; environment
   * &gt; file &gt; default).
   *
   * @throws UsageException naming the file when it is missing, unreadable or not a YAML mapping
   */
  SettingsSource withFile(Path path) {
    return withFile(env, envPrefix, path);
  }

  /** The environment variable that sets {@code option} ({@code RAFTMESH_SERVER_GRPC_PORT}). */
  String environmentVariable(OptionSpec option) {
    return envPrefix
        + option.longestName().replaceFirst("^--", "").toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** File keys that name no option of {@code spec}: a typo the user should hear about. */
  Optional<String> unknownFileKey(CommandLine.Model.CommandSpec spec) {
    if (file == null) {
      return Optional.empty();
    }
    for (Iterator<String> it = file.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (spec.findOption("--" + key) == null || key.equals("config")) {
        return Optional.of(key);
      }
    }
    return Optional.empty();
  }

  @Override
  public @Nullable String defaultValue(ArgSpec argSpec) {
    if (!(argSpec instanceof OptionSpec option)) {
      return null;
    }
    String name = option.longestName().replaceFirst("^--", "");
    String fromEnv = env.get(envPrefix + name.toUpperCase(Locale.ROOT).replace('-', '_'));
    if (fromEnv != null) {
      return fromEnv;
    }
    if (file != null && file.has(name)) {
      JsonNode value = file.get(name);
      if (value.isArray()) {
        StringBuilder sb = new StringBuilder();
        value.forEach(v -> sb.append(sb.length() == 0 ? "" : ",").append(v.asText()));
        return sb.toString();
      }
      if (value.isObject()) {
        StringBuilder sb = new StringBuilder();
        value
            .fields()
            .forEachRemaining(
                e ->
                    sb.append(sb.length() == 0 ? "" : ",")
                        .append(e.getKey())
                        .append('=')
                        .append(e.getValue().asText()));
        return sb.toString();
      }
      return value.asText();
    }
    return option.defaultValue();
  }

  private static String firstLine(@Nullable String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
