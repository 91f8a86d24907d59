package io.raftmesh.server.config;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.raftmesh.proto.v1.HttpRoute;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.TrafficRouteSpec;
import io.raftmesh.proto.v1.WeightedTarget;
import io.raftmesh.server.store.PrefixScan;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Refuses to delete a service that a route or policy still names (unless that route or policy is
 * deleted in the same request), so deletes cannot leave the dangling references that apply refuses.
 */
final class References {
  private static final List<ResourceKind> REFERRERS =
      List.of(
          ResourceKind.TRAFFIC_ROUTE,
          ResourceKind.DESTINATION_POLICY,
          ResourceKind.AUTHORIZATION_POLICY);

  private final StoreClient store;
  private final ReadConsistency reads;
  private final Duration timeout;

  References(StoreClient store, ReadConsistency reads, Duration timeout) {
    this.store = store;
    this.reads = reads;
    this.timeout = timeout;
  }

  void checkUnreferenced(List<ResourceKey> services, List<ResourceKey> deleted) {
    if (services.isEmpty()) {
      return;
    }
    Set<ResourceKey> going = new HashSet<>(deleted);
    List<String> referrers = new ArrayList<>();
    for (ResourceKey service : services) {
      for (ResourceKind kind : REFERRERS) {
        PrefixScan.Page page =
            PrefixScan.scan(
                store,
                ByteString.copyFrom(ResourceKeys.prefix(kind, service.getNamespace())),
                reads,
                100_000,
                timeout);
        for (KeyValue kv : page.kvs()) {
          StoredResources.decode(kv)
              .filter(r -> !going.contains(ResourceKeys.keyOf(r)))
              .filter(r -> names(r, service.getName()))
              .ifPresent(
                  r ->
                      referrers.add(
                          ResourceKeys.describe(ResourceKeys.keyOf(r))
                              + " names service "
                              + service.getName()));
        }
      }
    }
    if (!referrers.isEmpty()) {
      throw Status.FAILED_PRECONDITION
          .withDescription(
              "cannot delete a service that is still referenced: "
                  + String.join("; ", referrers.subList(0, Math.min(10, referrers.size())))
                  + (referrers.size() > 10 ? "; ..." : "")
                  + " (expected: delete or change those first, or in the same request)")
          .asRuntimeException();
    }
  }

  private static boolean names(Resource r, String service) {
    switch (r.getSpecCase()) {
      case TRAFFIC_ROUTE -> {
        TrafficRouteSpec t = r.getTrafficRoute();
        if (t.getDestination().equals(service)) {
          return true;
        }
        for (HttpRoute route : t.getRoutesList()) {
          for (WeightedTarget w : route.getSplitList()) {
            if (w.getService().equals(service)) {
              return true;
            }
          }
        }
        return t.getTcpSplitList().stream().anyMatch(w -> w.getService().equals(service));
      }
      case DESTINATION_POLICY -> {
        return r.getDestinationPolicy().getDestination().equals(service);
      }
      case AUTHORIZATION_POLICY -> {
        return r.getAuthorizationPolicy().getDestination().equals(service);
      }
      default -> {
        return false;
      }
    }
  }
}
