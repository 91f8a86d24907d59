package io.raftmesh.agent.proxy.config;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An immutable, validated view of the mesh at one revision, as the proxy applies it. Built by
 * {@link MeshTranslator}; never changed after construction, so a reference to it can be shared
 * between event loops and swapped atomically.
 *
 * @param revision the config revision it reflects
 * @param trustDomain the SPIFFE trust domain
 * @param permissive whether inbound listeners also accept plaintext callers
 * @param defaultAllow what an inbound listener does when no AuthorizationPolicy names its service
 * @param services every known service by name
 */
public record MeshSnapshot(
    long revision,
    String trustDomain,
    boolean permissive,
    boolean defaultAllow,
    Map<ServiceName, ServiceConfig> services) {

  /** Copies the map. */
  public MeshSnapshot {
    requireNonNull(trustDomain, "trustDomain");
    services = Map.copyOf(services);
  }

  /** An empty mesh: strict mutual TLS, deny by default, no services. */
  public static MeshSnapshot empty(String trustDomain) {
    return new MeshSnapshot(0, trustDomain, false, false, Map.of());
  }

  /** The service's config, or null when the mesh does not know it. */
  public @Nullable ServiceConfig service(ServiceName name) {
    return services.get(name);
  }

  /** The authorization that applies to callers of the local service {@code name}. */
  public AuthorizationConfig authorization(ServiceName name) {
    ServiceConfig s = services.get(name);
    AuthorizationConfig a = s == null ? null : s.authorization();
    return a != null ? a : AuthorizationConfig.everyone(defaultAllow);
  }
}
