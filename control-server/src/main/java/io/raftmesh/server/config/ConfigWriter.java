package io.raftmesh.server.config;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.proto.v1.ApplyRequest;
import io.raftmesh.proto.v1.ApplyResponse;
import io.raftmesh.proto.v1.ApplyResult;
import io.raftmesh.proto.v1.DeleteRequest;
import io.raftmesh.proto.v1.DeleteResponse;
import io.raftmesh.proto.v1.QueryResult;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.ResourceType;
import io.raftmesh.proto.v1.StoreResult;
import io.raftmesh.server.store.PrefixScan;
import io.raftmesh.server.store.RememberedAnswers;
import io.raftmesh.server.store.Transaction;
import io.raftmesh.store.ReadConsistency;
import io.raftmesh.store.StoreClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes batches of resources atomically: validate everything (structure, then references against
 * the stored state through a recording {@link StoreCatalog}), then one transaction whose compares
 * pin every key validation and classification read. If any of them changed meanwhile, nothing is
 * written and the batch is validated again (bounded); a bad batch writes nothing at all.
 */
final class ConfigWriter {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigWriter.class);
  private static final int ATTEMPTS = 5;
  static final int MAX_BATCH = 1000;

  private final StoreClient store;
  private final ResourceValidator validator = new ResourceValidator();
  private final RememberedAnswers answers;
  private final TrustDomain trustDomain;
  private final Duration timeout;

  ConfigWriter(
      StoreClient store, RememberedAnswers answers, TrustDomain trustDomain, Duration timeout) {
    this.store = store;
    this.answers = answers;
    this.trustDomain = trustDomain;
    this.timeout = timeout;
  }

  ApplyResponse apply(ApplyRequest request, String by) {
    int n = request.getResourcesCount();
    if (n < 1 || n > MAX_BATCH) {
      throw new IllegalArgumentException("resources: " + n + " items (expected: 1..1000)");
    }
    String requestId = checkRequestId(request.getRequestId());
    if (requestId != null && !request.getDryRun()) {
      Optional<RememberedAnswers.Answer<ApplyResponse>> first =
          answers.find("apply", requestId, ApplyResponse.parser());
      if (first.isPresent()) {
        return replay(first.get());
      }
    }
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      ReadConsistency reads = PrefixScan.barrier(store, timeout);
      StoreCatalog catalog = new StoreCatalog(store, reads, timeout);
      validator.validateBatch(request.getResourcesList(), catalog);
      checkTrustDomain(request.getResourcesList());
      Transaction txn = catalog.guard(new Transaction());
      ApplyResponse.Builder response = ApplyResponse.newBuilder();
      List<Integer> written = new ArrayList<>();
      long revision = 0;
      for (int i = 0; i < n; i++) {
        Resource r = request.getResources(i);
        ByteString key = ByteString.copyFrom(ResourceKeys.storeKey(r));
        QueryResult current = PrefixScan.get(store, key, reads, timeout);
        revision = Math.max(revision, current.getRevision());
        long modRevision = current.hasKv() ? current.getKv().getModRevision() : 0;
        if (request.getCompareRevisions() && modRevision != r.getMeta().getModRevision()) {
          throw Status.ABORTED
              .withDescription(
                  ResourceValidator.prefix(r, i)
                      + ".metadata.modRevision: "
                      + r.getMeta().getModRevision()
                      + " (expected: the stored "
                      + modRevision
                      + "; it changed since you read it)")
              .asRuntimeException();
        }
        ByteString value = StoredResources.value(r);
        ApplyResult.Change change;
        if (!current.hasKv()) {
          change = ApplyResult.Change.CREATED;
        } else if (current.getKv().getValue().equals(value)) {
          change = ApplyResult.Change.UNCHANGED;
        } else {
          change = ApplyResult.Change.UPDATED;
        }
        txn.unchanged(key, modRevision);
        if (change != ApplyResult.Change.UNCHANGED) {
          txn.put(key, value);
          written.add(i);
        }
        response.addResults(
            ApplyResult.newBuilder()
                .setKey(ResourceKeys.keyOf(r))
                .setChange(change)
                .setModRevision(modRevision));
      }
      if (request.getDryRun() || written.isEmpty()) {
        return response.setRevision(revision).build();
      }
      ApplyResponse answer = withRevision(response, written, 0).build();
      ConfigMarker.touch(txn);
      if (requestId != null) {
        answers.remember(txn, "apply", requestId, answer);
      }
      StoreResult result =
          PrefixScan.await(
              store.txn(
                  "apply/" + (requestId != null ? requestId : UUID.randomUUID()), txn.build()),
              timeout);
      if (result.getSucceeded()) {
        PrefixScan.announceCommit(store);
        LOG.info(
            "applied resources={} written={} revision={} by={}",
            n,
            written.size(),
            result.getRevision(),
            by);
        return withRevision(response, written, result.getRevision())
            .setRevision(result.getRevision())
            .build();
      }
      if (requestId != null) {
        Optional<RememberedAnswers.Answer<ApplyResponse>> first =
            answers.find("apply", requestId, ApplyResponse.parser());
        if (first.isPresent()) {
          return replay(first.get());
        }
      }
      LOG.debug("apply raced with another write (attempt {}); validating again", attempt + 1);
    }
    throw Status.ABORTED
        .withDescription("the resources kept changing while this batch was validated; retry")
        .asRuntimeException();
  }

  /** A remembered answer as first sent: written resources carry the write's revision. */
  private static ApplyResponse replay(RememberedAnswers.Answer<ApplyResponse> first) {
    ApplyResponse.Builder b = first.answer().toBuilder().setRevision(first.revision());
    for (int i = 0; i < b.getResultsCount(); i++) {
      if (b.getResults(i).getChange() != ApplyResult.Change.UNCHANGED) {
        b.setResults(i, b.getResults(i).toBuilder().setModRevision(first.revision()));
      }
    }
    return b.build();
  }

  /** Sets the mod revision of the written results to {@code revision} (0 before the write). */
  private static ApplyResponse.Builder withRevision(
      ApplyResponse.Builder response, List<Integer> written, long revision) {
    ApplyResponse.Builder copy = response.clone();
    for (int i : written) {
      copy.setResults(i, copy.getResults(i).toBuilder().setModRevision(revision));
    }
    return copy;
  }

  private void checkTrustDomain(List<Resource> resources) {
    Violations v = new Violations();
    for (int i = 0; i < resources.size(); i++) {
      Resource r = resources.get(i);
      if (r.hasMeshConfig() && !r.getMeshConfig().getTrustDomain().equals(trustDomain.name())) {
        v.bad(
            ResourceValidator.prefix(r, i) + ".spec.trustDomain",
            r.getMeshConfig().getTrustDomain(),
            "the cluster's trust domain \"" + trustDomain.name() + "\"; it cannot change");
      }
    }
    v.throwIfAny();
  }

  DeleteResponse delete(DeleteRequest request, String by) {
    int n = request.getKeysCount();
    if (n < 1 || n > MAX_BATCH) {
      throw new IllegalArgumentException("keys: " + n + " items (expected: 1..1000)");
    }
    if (request.getExpectedModRevision() != 0 && n != 1) {
      throw new IllegalArgumentException(
          "expected_mod_revision: set with " + n + " keys (expected: exactly one key)");
    }
    String requestId = checkRequestId(request.getRequestId());
    if (requestId != null) {
      Optional<RememberedAnswers.Answer<DeleteResponse>> first =
          answers.find("delete", requestId, DeleteResponse.parser());
      if (first.isPresent()) {
        return first.get().answer().toBuilder().setRevision(first.get().revision()).build();
      }
    }
    for (int i = 0; i < n; i++) {
      checkKey(request.getKeys(i), "keys[" + i + "]");
    }
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      ReadConsistency reads = PrefixScan.barrier(store, timeout);
      long marker = ConfigMarker.revision(store, reads, timeout);
      Transaction txn = new Transaction();
      DeleteResponse.Builder response = DeleteResponse.newBuilder();
      List<ResourceKey> services = new ArrayList<>();
      boolean visible = false;
      long revision = 0;
      for (int i = 0; i < n; i++) {
        ResourceKey k = request.getKeys(i);
        ByteString key = ByteString.copyFrom(ResourceKeys.storeKey(k));
        QueryResult current = PrefixScan.get(store, key, reads, timeout);
        revision = Math.max(revision, current.getRevision());
        long modRevision = current.hasKv() ? current.getKv().getModRevision() : 0;
        if (request.getExpectedModRevision() != 0
            && modRevision != request.getExpectedModRevision()) {
          throw Status.ABORTED
              .withDescription(
                  "expected_mod_revision: "
                      + request.getExpectedModRevision()
                      + " (expected: the stored "
                      + modRevision
                      + " of "
                      + ResourceKeys.describe(k)
                      + ")")
              .asRuntimeException();
        }
        if (current.hasKv()) {
          txn.unchanged(key, modRevision).delete(key);
          response.addDeleted(k);
          visible |= k.getType() != ResourceType.NODE;
          if (k.getType() == ResourceType.SERVICE) {
            services.add(k);
          }
        }
      }
      if (response.getDeletedCount() == 0) {
        return response.setRevision(revision).build();
      }
      new References(store, reads, timeout).checkUnreferenced(services, request.getKeysList());
      if (!services.isEmpty()) {
        // A route or policy naming a deleted service could be applied concurrently: any
        // agent-visible write moves the marker, so this delete then validates again.
        txn.unchanged(io.raftmesh.server.store.ServerKeys.CONFIG_MARKER, marker);
      }
      if (visible) {
        ConfigMarker.touch(txn);
      }
      DeleteResponse answer = response.build();
      if (requestId != null) {
        answers.remember(txn, "delete", requestId, answer);
      }
      StoreResult result =
          PrefixScan.await(
              store.txn(
                  "delete/" + (requestId != null ? requestId : UUID.randomUUID()), txn.build()),
              timeout);
      if (result.getSucceeded()) {
        PrefixScan.announceCommit(store);
        LOG.info(
            "deleted keys={} revision={} by={}",
            answer.getDeletedCount(),
            result.getRevision(),
            by);
        return answer.toBuilder().setRevision(result.getRevision()).build();
      }
    }
    throw Status.ABORTED
        .withDescription("the resources kept changing while this delete was checked; retry")
        .asRuntimeException();
  }

  /** Checks a key names a resource: a type, a namespace and a name. */
  static void checkKey(ResourceKey k, String at) {
    if (ResourceKind.of(k.getType()).isEmpty()) {
      throw new IllegalArgumentException(at + ".type: " + k.getType() + " (expected: a type)");
    }
    if (k.getNamespace().isEmpty() || k.getNamespace().contains("/")) {
      throw new IllegalArgumentException(
          at + ".namespace: \"" + k.getNamespace() + "\" (expected: a namespace)");
    }
    if (k.getName().isEmpty() || k.getName().contains("/")) {
      throw new IllegalArgumentException(at + ".name: \"" + k.getName() + "\" (expected: a name)");
    }
  }

  static @Nullable String checkRequestId(String id) {
    if (id.isEmpty()) {
      return null;
    }
    if (!id.matches("[A-Za-z0-9._:-]{1,100}")) {
      throw new IllegalArgumentException(
          "request_id: \"" + id + "\" (expected: 1..100 of [A-Za-z0-9._:-], e.g. a UUID)");
    }
    return id;
  }
}
