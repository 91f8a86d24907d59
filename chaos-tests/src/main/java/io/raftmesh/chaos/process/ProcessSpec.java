package io.raftmesh.chaos.process;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What to start: a command, where its output goes, and optionally a wrapper prefix that runs it
 * elsewhere (for example {@code ip netns exec <ns>}, which execs the command in place so the PID is
 * the command's own).
 *
 * @param name a short name for logs (e.g. {@code n1})
 * @param command the program and its arguments
 * @param logFile stdout and stderr are appended here
 * @param workDir the working directory, or {@code null} for the harness's
 * @param env variables added to the inherited environment
 * @param wrapper a prefix placed before the command (empty for none)
 */
public record ProcessSpec(
    String name,
    List<String> command,
    Path logFile,
    @Nullable Path workDir,
    Map<String, String> env,
    List<String> wrapper) {

  /** Validates and copies. */
  public ProcessSpec {
    requireNonNull(name, "name");
    requireNonNull(logFile, "logFile");
    command = List.copyOf(command);
    env = Map.copyOf(env);
    wrapper = List.copyOf(wrapper);
    if (name.isBlank()) {
      throw new IllegalArgumentException("name: \"" + name + "\" (expected: a non-blank name)");
    }
    if (command.isEmpty()) {
      throw new IllegalArgumentException("command: [] (expected: a program and its arguments)");
    }
  }

  /** A spec with no working directory, environment or wrapper. */
  public static ProcessSpec of(String name, List<String> command, Path logFile) {
    return new ProcessSpec(name, command, logFile, null, Map.of(), List.of());
  }

  /** This spec run through {@code prefix} (e.g. {@code [ip, netns, exec, ns1]}). */
  public ProcessSpec wrappedBy(List<String> prefix) {
    return new ProcessSpec(name, command, logFile, workDir, env, prefix);
  }

  /** This spec in {@code dir}. */
  public ProcessSpec in(Path dir) {
    return new ProcessSpec(name, command, logFile, requireNonNull(dir, "dir"), env, wrapper);
  }

  /** This spec with one more environment variable. */
  public ProcessSpec withEnv(String key, String value) {
    Map<String, String> e = new HashMap<>(env);
    e.put(requireNonNull(key, "key"), requireNonNull(value, "value"));
    return new ProcessSpec(name, command, logFile, workDir, e, wrapper);
  }

  /** The full argument vector: wrapper, then command. */
  public List<String> argv() {
    List<String> all = new ArrayList<>(wrapper);
    all.addAll(command);
    return all;
  }
}
