package io.raftmesh.server.config;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.ApplyResponse;
import io.raftmesh.proto.v1.ConfigServiceGrpc;
import io.raftmesh.proto.v1.Consistency;
import io.raftmesh.proto.v1.DeleteRequest;
import io.raftmesh.proto.v1.DeleteResponse;
import io.raftmesh.proto.v1.GetRequest;
import io.raftmesh.proto.v1.GetResponse;
import io.raftmesh.proto.v1.KeyValue;
import io.raftmesh.proto.v1.ListRequest;
import io.raftmesh.proto.v1.ListResponse;
import io.raftmesh.proto.v1.QueryResult;
import io.raftmesh.proto.v1.RangeQuery;
import io.raftmesh.proto.v1.ReadHeader;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.server.auth.Caller;
import io.raftmesh.server.rpc.Unary;
import io.raftmesh.server.store.PrefixScan;
import io.raftmesh.server.store.RememberedAnswers;
import io.raftmesh.server.store.ServerKeys;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreClient;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * ConfigService: atomic validated batches (admins), and reads for any mesh identity, linearizable
 * by default or stale from this server's replica.
 */
public final class ConfigGrpcService extends ConfigServiceGrpc.ConfigServiceImplBase {
  private static final int DEFAULT_LIMIT = 500;
  private static final int MAX_LIMIT = 1000;
  private static final int MAX_PAGES_PER_CALL = 20;

  private final StoreClient store;
  private final ConfigWriter writer;
  private final String serverId;
  private final Unary unary;
  private final Duration timeout;

  /** The service over {@code store}, answering as server {@code serverId}. */
  public ConfigGrpcService(
      StoreClient store,
      RememberedAnswers answers,
      TrustDomain trustDomain,
      String serverId,
      Unary unary,
      Duration timeout) {
    this.store = store;
    this.writer = new ConfigWriter(store, answers, trustDomain, timeout);
    this.serverId = serverId;
    this.unary = unary;
    this.timeout = timeout;
  }

  @Override
  public void apply(ApplyRequest request, StreamObserver<ApplyResponse> observer) {
    unary.respond(observer, () -> writer.apply(request, Caller.current().describe()));
  }

  @Override
  public void delete(DeleteRequest request, StreamObserver<DeleteResponse> observer) {
    unary.respond(observer, () -> writer.delete(request, Caller.current().describe()));
  }

  @Override
  public void get(GetRequest request, StreamObserver<GetResponse> observer) {
    unary.respond(
        observer,
        () -> {
          ConfigWriter.checkKey(request.getKey(), "key");
          ReadConsistency consistency =
              consistency(request.getConsistency(), request.getMinRevision());
          QueryResult r =
              PrefixScan.get(
                  store,
                  ByteString.copyFrom(ResourceKeys.storeKey(request.getKey())),
                  consistency,
                  timeout);
          Optional<Resource> resource =
              r.hasKv() ? StoredResources.decode(r.getKv()) : Optional.empty();
          if (resource.isEmpty()) {
            throw Status.NOT_FOUND
                .withDescription(
                    ResourceKeys.describe(request.getKey())
                        + " does not exist (at revision "
                        + r.getRevision()
                        + ")")
                .asRuntimeException();
          }
          return GetResponse.newBuilder()
              .setResource(resource.get())
              .setHeader(header(r.getRevision(), consistency))
              .build();
        });
  }

  @Override
  public void list(ListRequest request, StreamObserver<ListResponse> observer) {
    unary.respond(observer, () -> list(request));
  }

  private ListResponse list(ListRequest request) {
    int limit = request.getLimit() == 0 ? DEFAULT_LIMIT : request.getLimit();
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit: " + request.getLimit() + " (expected: 0..1000)");
    }
    ByteString prefix;
    if (request.getType() == ResourceType.RESOURCE_TYPE_UNSPECIFIED) {
      if (!request.getNamespace().isEmpty()) {
        throw new IllegalArgumentException(
            "namespace: \"" + request.getNamespace() + "\" without a type (expected: a type)");
      }
      prefix = ByteString.copyFrom(ResourceKeys.allResources());
    } else {
      ResourceKind kind =
          ResourceKind.of(request.getType())
              .orElseThrow(
                  () -> new IllegalArgumentException("type: " + request.getType() + " (unknown)"));
      prefix =
          ByteString.copyFrom(
              request.getNamespace().isEmpty()
                  ? ResourceKeys.prefix(kind)
                  : ResourceKeys.prefix(kind, request.getNamespace()));
      if (!request.getNamespace().isEmpty()) {
        prefix = prefix.concat(ByteString.copyFromUtf8(request.getNamePrefix()));
      }
    }
    ByteString end = ServerKeys.prefixEnd(prefix);
    ByteString from = prefix;
    if (!request.getPageToken().isEmpty()) {
      ByteString after;
      try {
        after = ByteString.copyFrom(Base64.getUrlDecoder().decode(request.getPageToken()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("page_token: not one this server made", e);
      }
      if (after.toStringUtf8().compareTo(prefix.toStringUtf8()) < 0) {
        throw new IllegalArgumentException("page_token: not for this listing");
      }
      from = after.concat(ByteString.copyFrom(new byte[] {0}));
    }
    ReadConsistency consistency = consistency(request.getConsistency(), 0);
    ListResponse.Builder out = ListResponse.newBuilder();
    long revision = 0;
    ByteString last = null;
    boolean more = false;
    for (int pages = 0; pages < MAX_PAGES_PER_CALL && out.getResourcesCount() < limit; pages++) {
      QueryResult r =
          PrefixScan.await(
              store.range(
                  RangeQuery.newBuilder().setKey(from).setRangeEnd(end).setLimit(limit).build(),
                  consistency),
              timeout);
      revision = Math.max(revision, r.getRevision());
      more = r.getRange().getMore();
      for (KeyValue kv : r.getRange().getKvsList()) {
        if (out.getResourcesCount() == limit) {
          more = true;
          break;
        }
        last = kv.getKey();
        StoredResources.decode(kv)
            .filter(res -> matches(res, request))
            .ifPresent(out::addResources);
      }
      if (!more || last == null) {
        break;
      }
      from = last.concat(ByteString.copyFrom(new byte[] {0}));
    }
    if (more && last != null) {
      out.setNextPageToken(
          Base64.getUrlEncoder().withoutPadding().encodeToString(last.toByteArray()));
    }
    return out.setHeader(header(revision, consistency)).build();
  }

  private static boolean matches(Resource r, ListRequest request) {
    if (!request.getNamespace().isEmpty() && !r.getNamespace().equals(request.getNamespace())) {
      return false;
    }
    if (!r.getName().startsWith(request.getNamePrefix())) {
      return false;
    }
    for (Map.Entry<String, String> e : request.getLabelSelectorMap().entrySet()) {
      if (!e.getValue().equals(r.getMeta().getLabelsMap().get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private static ReadConsistency consistency(Consistency c, long minRevision) {
    if (minRevision < 0) {
      throw new IllegalArgumentException("min_revision: " + minRevision + " (expected: >= 0)");
    }
    return c == Consistency.STALE
        ? ReadConsistency.stale(minRevision)
        : ReadConsistency.LINEARIZABLE;
  }

  private ReadHeader header(long revision, ReadConsistency consistency) {
    return ReadHeader.newBuilder()
        .setRevision(revision)
        .setServedBy(serverId)
        .setStale(!consistency.isLinearizable())
        .build();
  }
}
