package io.raftmesh.agent.subscribe;

import static java.util.Objects.requireNonNull;

import io.raftmesh.proto.v1.Delta;
import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceKey;
import io.raftmesh.proto.v1.ResourceType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The mesh as the node sees it at one revision: every resource by key. Immutable; applying a delta
 * makes a new view. Revisions only go forward: a delta must start exactly at this view's revision
 * (or be a {@code reset} at this revision or later).
 */
public final class MeshView {
  private static final MeshView EMPTY = new MeshView(0, Collections.emptyMap());

  private final long revision;
  private final Map<String, Resource> resources;

  private MeshView(long revision, Map<String, Resource> resources) {
    this.revision = revision;
    this.resources = resources;
  }

  /** Nothing, at revision 0. */
  public static MeshView empty() {
    return EMPTY;
  }

  /** A view of exactly {@code resources} at {@code revision} (e.g. from the cache). */
  public static MeshView of(long revision, List<Resource> resources) {
    if (revision < 0) {
      throw new IllegalArgumentException("revision: " + revision + " (expected: >= 0)");
    }
    Map<String, Resource> map = new TreeMap<>();
    for (Resource r : resources) {
      map.put(ResourceKeys.of(r), r);
    }
    return new MeshView(revision, Collections.unmodifiableMap(map));
  }

  /** The revision this view reflects. */
  public long revision() {
    return revision;
  }

  /** Every resource, ordered by key. */
  public List<Resource> resources() {
    return List.copyOf(resources.values());
  }

  /** How many resources. */
  public int size() {
    return resources.size();
  }

  /** The resource with {@code key}, or null. */
  public @org.jspecify.annotations.Nullable Resource get(String key) {
    return resources.get(key);
  }

  /** The resources of {@code type}, ordered by key. */
  public List<Resource> ofType(ResourceType type) {
    List<Resource> out = new ArrayList<>();
    String prefix = "/" + ResourceKeys.segment(type) + "/";
    for (Map.Entry<String, Resource> e : resources.entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        out.add(e.getValue());
      }
    }
    return out;
  }

  /**
   * This view with {@code delta} applied.
   *
   * @throws DeltaSequenceException when the delta does not continue this view: a non-reset delta
   *     whose previous_revision is not this revision, a revision not after its previous one, or a
   *     reset older than this view
   */
  public MeshView apply(Delta delta) throws DeltaSequenceException {
    requireNonNull(delta, "delta");
    if (delta.getReset()) {
      if (delta.getRevision() < revision) {
        throw new DeltaSequenceException(
            "reset at revision "
                + delta.getRevision()
                + " is older than the applied revision "
                + revision
                + " (expected: revisions never go backwards)");
      }
      return of(delta.getRevision(), delta.getUpsertsList());
    }
    if (delta.getPreviousRevision() != revision) {
      throw new DeltaSequenceException(
          "delta ("
              + delta.getPreviousRevision()
              + ", "
              + delta.getRevision()
              + "] does not start at the held revision "
              + revision
              + " (expected: previous_revision "
              + revision
              + ")");
    }
    if (delta.getRevision() < revision) {
      throw new DeltaSequenceException(
          "delta revision "
              + delta.getRevision()
              + " is before its previous revision "
              + revision
              + " (expected: revisions never go backwards)");
    }
    Map<String, Resource> next = new TreeMap<>(resources);
    for (ResourceKey removed : delta.getRemovalsList()) {
      next.remove(ResourceKeys.of(removed));
    }
    for (Resource upsert : delta.getUpsertsList()) {
      next.put(ResourceKeys.of(upsert), upsert);
    }
    return new MeshView(delta.getRevision(), Collections.unmodifiableMap(next));
  }

  @Override
  public String toString() {
    return "MeshView{revision=" + revision + ", resources=" + resources.size() + "}";
  }
}
