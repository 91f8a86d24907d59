package io.raftmesh.agent;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmesh.agent.config.AgentConfig;
import io.raftmesh.agent.control.ChannelFactory;
import io.raftmesh.agent.dataplane.DataPlane;
import io.raftmesh.agent.dataplane.DetachedDataPlane;
import io.raftmesh.agent.health.HealthProbe;
import io.raftmesh.agent.health.NetworkProbe;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * How to run an {@link Agent} beyond its config file: the join token, the data plane, and the seams
 * tests replace (transport, clock, randomness, health probe).
 *
 * @param joinToken the join token, needed only on the first start
 * @param dataPlane makes the data plane once the trust domain is known
 * @param channels opens channels to control servers
 * @param registry where metrics are registered
 * @param probe runs health checks
 * @param clock the clock
 * @param secureRandom for keys
 * @param random for jitter
 * @param version the agent's build version
 */
public record AgentOptions(
    @Nullable String joinToken,
    DataPlaneFactory dataPlane,
    ChannelFactory channels,
    PrometheusRegistry registry,
    HealthProbe probe,
    Clock clock,
    SecureRandom secureRandom,
    RandomGenerator random,
    String version) {

  /** Makes the data plane for a config and trust domain. */
  @FunctionalInterface
  public interface DataPlaneFactory {
    /** A data plane (not started) for {@code config}'s local services. */
    DataPlane create(AgentConfig config, String trustDomain, PrometheusRegistry registry);
  }

  /** Requires every part but the token. */
  public AgentOptions {
    requireNonNull(dataPlane, "dataPlane");
    requireNonNull(channels, "channels");
    requireNonNull(registry, "registry");
    requireNonNull(probe, "probe");
    requireNonNull(clock, "clock");
    requireNonNull(secureRandom, "secureRandom");
    requireNonNull(random, "random");
    requireNonNull(version, "version");
  }

  /** Production defaults: TLS channels, real probes, system clock, a detached data plane. */
  public static AgentOptions defaults(@Nullable String joinToken, String version) {
    return new AgentOptions(
        joinToken,
        (config, td, registry) -> new DetachedDataPlane(),
        ChannelFactory.tls(),
        new PrometheusRegistry(),
        new NetworkProbe(),
        Clock.systemUTC(),
        new SecureRandom(),
        RandomGenerator.getDefault(),
        version);
  }

  /** These options with another data plane. */
  public AgentOptions withDataPlane(DataPlaneFactory factory) {
    return new AgentOptions(
        joinToken, factory, channels, registry, probe, clock, secureRandom, random, version);
  }

  /** These options with another channel factory. */
  public AgentOptions withChannels(ChannelFactory factory) {
    return new AgentOptions(
        joinToken, dataPlane, factory, registry, probe, clock, secureRandom, random, version);
  }

  /** These options with another join token. */
  public AgentOptions withJoinToken(@Nullable String token) {
    return new AgentOptions(
        token, dataPlane, channels, registry, probe, clock, secureRandom, random, version);
  }

  /** These options with another health probe. */
  public AgentOptions withProbe(HealthProbe healthProbe) {
    return new AgentOptions(
        joinToken,
        dataPlane,
        channels,
        registry,
        healthProbe,
        clock,
        secureRandom,
        random,
        version);
  }

  @Override
  public String toString() {
    return "AgentOptions{version="
        + version
        + ", joinToken="
        + (joinToken == null ? "none" : "...")
        + "}";
  }
}
