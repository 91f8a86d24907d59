package io.raftmesh.ca.identity;

import static java.util.Objects.requireNonNull;

import io.raftmesh.ca.CaException;
import java.util.List;

/**
 * The four shapes of SPIFFE ID the mesh issues (see {@code identity.proto}):
 *
 * <ul>
 *   <li>{@link ControlServer}: {@code spiffe://<td>/control/<id>}
 *   <li>{@link Admin}: {@code spiffe://<td>/admin/<name>}
 *   <li>{@link Node}: {@code spiffe://<td>/node/<name>}
 *   <li>{@link Workload}: {@code spiffe://<td>/ns/<namespace>/sa/<service>}
 * </ul>
 *
 * <p>Every name is a DNS label: 1 to 63 characters of {@code [a-z0-9-]}, starting and ending with a
 * letter or digit. Instances are valid by construction.
 */
public sealed interface MeshIdentity
    permits MeshIdentity.ControlServer,
        MeshIdentity.Admin,
        MeshIdentity.Node,
        MeshIdentity.Workload {

  /** The trust domain. */
  TrustDomain trustDomain();

  /** The SPIFFE ID. */
  SpiffeId spiffeId();

  /**
   * Classifies {@code id} as one of the mesh's shapes.
   *
   * @throws InvalidSpiffeIdException when {@code id} is none of them
   */
  static MeshIdentity of(SpiffeId id) {
    requireNonNull(id, "id");
    List<String> s = id.segments();
    TrustDomain td = id.trustDomain();
    if (s.size() == 2 && s.get(0).equals("control")) {
      return new ControlServer(td, s.get(1));
    }
    if (s.size() == 2 && s.get(0).equals("admin")) {
      return new Admin(td, s.get(1));
    }
    if (s.size() == 2 && s.get(0).equals("node")) {
      return new Node(td, s.get(1));
    }
    if (s.size() == 4 && s.get(0).equals("ns") && s.get(2).equals("sa")) {
      return new Workload(td, s.get(1), s.get(3));
    }
    throw new InvalidSpiffeIdException(
        "mesh identity: "
            + CaException.quote(id.toString())
            + " (expected: spiffe://<td>/control/<id>, /admin/<name>, /node/<name> or"
            + " /ns/<namespace>/sa/<service>)");
  }

  /** A control server, {@code spiffe://<td>/control/<id>}. */
  record ControlServer(TrustDomain trustDomain, String id) implements MeshIdentity {
    /** Checks the id. */
    public ControlServer {
      requireNonNull(trustDomain, "trustDomain");
      checkLabel("control server id", id);
    }

    @Override
    public SpiffeId spiffeId() {
      return trustDomain.id("control", id);
    }
  }

  /** An administrator, {@code spiffe://<td>/admin/<name>}. */
  record Admin(TrustDomain trustDomain, String name) implements MeshIdentity {
    /** Checks the name. */
    public Admin {
      requireNonNull(trustDomain, "trustDomain");
      checkLabel("admin name", name);
    }

    @Override
    public SpiffeId spiffeId() {
      return trustDomain.id("admin", name);
    }
  }

  /** An enrolled node (its agent), {@code spiffe://<td>/node/<name>}. */
  record Node(TrustDomain trustDomain, String name) implements MeshIdentity {
    /** Checks the name. */
    public Node {
      requireNonNull(trustDomain, "trustDomain");
      checkLabel("node name", name);
    }

    @Override
    public SpiffeId spiffeId() {
      return trustDomain.id("node", name);
    }
  }

  /** A workload (service), {@code spiffe://<td>/ns/<namespace>/sa/<service>}. */
  record Workload(TrustDomain trustDomain, String namespace, String service)
      implements MeshIdentity {
    /** Checks the namespace and the service name. */
    public Workload {
      requireNonNull(trustDomain, "trustDomain");
      checkLabel("namespace", namespace);
      checkLabel("service", service);
    }

    @Override
    public SpiffeId spiffeId() {
      return trustDomain.id("ns", namespace, "sa", service);
    }
  }

  /**
   * Checks that {@code value} is a DNS label (RFC 1123, lower case).
   *
   * @throws InvalidSpiffeIdException naming {@code what} and the rule broken
   */
  static void checkLabel(String what, String value) {
    requireNonNull(value, what);
    boolean ok = !value.isEmpty() && value.length() <= 63;
    for (int i = 0; ok && i < value.length(); i++) {
      char c = value.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      boolean edge = i == 0 || i == value.length() - 1;
      ok = alnum || (c == '-' && !edge);
    }
    if (!ok) {
      throw new InvalidSpiffeIdException(
          what
              + ": "
              + CaException.quote(value)
              + " (expected: a DNS label, 1-63 characters of a-z 0-9 -, not starting or ending"
              + " with -)");
    }
  }
}
