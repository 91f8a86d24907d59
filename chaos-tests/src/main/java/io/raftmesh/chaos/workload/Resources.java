package io.raftmesh.chaos.workload;

import io.raftmesh.proto.v1.Protocol;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.proto.v1.ServicePort;
import io.raftmesh.proto.v1.ServiceSpec;

/**
 * The resources workloads write: services whose description carries the workload's value, so a
 * register or set element is one small valid resource.
 */
public final class Resources {
  private Resources() {}

  /** Service {@code ns/name} whose description is {@code value}. */
  public static Resource service(String ns, String name, String value) {
    return Resource.newBuilder()
        .setType(ResourceType.SERVICE)
        .setNamespace(ns)
        .setName(name)
        .setService(
            ServiceSpec.newBuilder()
                .setProtocol(Protocol.HTTP)
                .setDescription(value)
                .addPorts(ServicePort.newBuilder().setName("http").setPort(8080)))
        .build();
  }

  /** The key of service {@code ns/name}. */
  public static ResourceKey serviceKey(String ns, String name) {
    return ResourceKey.newBuilder()
        .setType(ResourceType.SERVICE)
        .setNamespace(ns)
        .setName(name)
        .build();
  }

  /** The value a workload wrote into {@code r}. */
  public static String value(Resource r) {
    return r.getService().getDescription();
  }
}
