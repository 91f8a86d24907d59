package io.raftmesh.server.testing;

import io.raftmesh.proto.v1.HttpRoute;
import io.raftmesh.proto.v1.Protocol;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.ResourceMeta;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.proto.v1.ServicePort;
import io.raftmesh.proto.v1.ServiceSpec;
import io.raftmesh.proto.v1.Subset;
import io.raftmesh.proto.v1.TrafficRouteSpec;
import io.raftmesh.proto.v1.WeightedTarget;

/** Small resource builders for tests. */
public final class Resources {
  private Resources() {}

  public static Resource service(String ns, String name) {
    return Resource.newBuilder()
        .setType(ResourceType.SERVICE)
        .setNamespace(ns)
        .setName(name)
        .setService(
            ServiceSpec.newBuilder()
                .setProtocol(Protocol.HTTP)
                .addPorts(ServicePort.newBuilder().setName("http").setPort(8080))
                .addSubsets(Subset.newBuilder().setName("v1").putLabels("version", "v1"))
                .addSubsets(Subset.newBuilder().setName("v2").putLabels("version", "v2")))
        .build();
  }

  /** A service whose description carries {@code n}, so each call is a different value. */
  public static Resource service(String ns, String name, int n) {
    Resource r = service(ns, name);
    return r.toBuilder()
        .setService(r.getService().toBuilder().setDescription("change " + n))
        .setMeta(ResourceMeta.newBuilder().putLabels("n", Integer.toString(n)))
        .build();
  }

  /** A route to {@code dest} splitting v1/v2 by the given weights. */
  public static Resource route(String ns, String name, String dest, int w1, int w2) {
    return Resource.newBuilder()
        .setType(ResourceType.TRAFFIC_ROUTE)
        .setNamespace(ns)
        .setName(name)
        .setTrafficRoute(
            TrafficRouteSpec.newBuilder()
                .setDestination(dest)
                .addRoutes(
                    HttpRoute.newBuilder()
                        .setName("default")
                        .addSplit(WeightedTarget.newBuilder().setSubset("v1").setWeight(w1))
                        .addSplit(WeightedTarget.newBuilder().setSubset("v2").setWeight(w2))))
        .build();
  }

  public static ResourceKey key(ResourceType type, String ns, String name) {
    return ResourceKey.newBuilder().setType(type).setNamespace(ns).setName(name).build();
  }
}
