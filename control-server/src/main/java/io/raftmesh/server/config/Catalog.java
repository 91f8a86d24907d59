package io.raftmesh.server.config;

import io.raftmesh.proto.v1.ServiceSpec;
import java.util.Optional;

/**
 * What validation may look up about resources outside the one being checked: the state a batch is
 * validated against. Implementations record what they were asked, so the write can be guarded by a
 * compare on exactly those keys.
 */
public interface Catalog {

  /** The service {@code namespace/name}, if it exists. */
  Optional<ServiceSpec> service(String namespace, String name);

  /** A catalog in which nothing exists. */
  static Catalog empty() {
    return (namespace, name) -> Optional.empty();
  }
}
