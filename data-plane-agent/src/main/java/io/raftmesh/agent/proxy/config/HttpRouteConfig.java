package io.raftmesh.agent.proxy.config;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpRequest;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP route of a destination: requests matching any of {@link #matches()} (all when empty) go
 * to one of {@link #split()} chosen by weight.
 *
 * @param name the route's name, for logs
 * @param matches alternative conditions
 * @param split weighted targets; weights add up to 100
 * @param timeoutNanos overall timeout, retries included; 0 for none
 * @param retry the retry policy
 * @param fault injected faults, or null
 */
public record HttpRouteConfig(
    String name,
    List<HttpMatchConfig> matches,
    List<WeightedTargetConfig> split,
    long timeoutNanos,
    RetryConfig retry,
    @Nullable FaultConfig fault) {

  /** Copies the lists. */
  public HttpRouteConfig {
    requireNonNull(name, "name");
    requireNonNull(retry, "retry");
    matches = List.copyOf(matches);
    split = List.copyOf(split);
    if (split.isEmpty()) {
      throw new IllegalArgumentException("split: [] (expected: at least one target)");
    }
  }

  /** Whether the route takes {@code request}. */
  public boolean test(HttpRequest request) {
    if (matches.isEmpty()) {
      return true;
    }
    for (int i = 0; i < matches.size(); i++) {
      if (matches.get(i).test(request)) {
        return true;
      }
    }
    return false;
  }

  /** Picks a target for a uniformly drawn {@code percent} in [0, 100). */
  public WeightedTargetConfig pick(int percent) {
    int acc = 0;
    for (int i = 0; i < split.size(); i++) {
      WeightedTargetConfig t = split.get(i);
      acc += t.weight();
      if (percent < acc) {
        return t;
      }
    }
    return split.get(split.size() - 1);
  }
}
