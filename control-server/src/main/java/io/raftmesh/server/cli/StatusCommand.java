package io.raftmesh.server.cli;

import com.google.protobuf.util.Timestamps;
import io.grpc.StatusRuntimeException;
import io.raftmesh.proto.v1.Member;
import io.raftmesh.proto.v1.NodeStatus;
import io.raftmesh.proto.v1.StatusRequest;
import io.raftmesh.proto.v1.StatusResponse;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code raftmesh status}: the control plane (members, leader, revisions) and every node (which
 * revision it acknowledged, its last NACK, certificate expiry), as the leader sees them (as the
 * first server that answers when the leader cannot be asked).
 */
@Command(
    name = "status",
    description = "Show the cluster and the nodes: leader, revisions, who is behind or rejecting.",
    mixinStandardHelpOptions = true)
final class StatusCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin ClientOptions client;

  @Override
  public Integer call() {
    StatusResponse s;
    try (ClusterClient c = client.connect()) {
      s =
          c.call(
              (ch, ms) -> ApplyCommand.cluster(ch, ms).status(StatusRequest.getDefaultInstance()));
      s = fromLeader(c, s);
    }
    PrintWriter w = spec.commandLine().getOut();
    w.print(render(s, Instant.now()));
    w.flush();
    return 0;
  }

  /**
   * The leader's answer when a follower answered first: only the leader knows every member's role,
   * match index and last contact (a follower shows the other followers as UNKNOWN). Keeps the
   * follower's answer when the leader's API address is unknown or the leader does not answer.
   */
  static StatusResponse fromLeader(ClusterClient c, StatusResponse first) {
    String leader = first.getLeaderId();
    if (leader.isEmpty() || leader.equals(first.getServerId())) {
      return first;
    }
    for (Member m : first.getMembersList()) {
      if (m.getId().equals(leader) && !m.getApiAddress().isEmpty()) {
        try {
          return ApplyCommand.cluster(c.channel(m.getApiAddress()), c.deadline().toMillis())
              .status(StatusRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
          return first;
        }
      }
    }
    return first;
  }

  static String render(StatusResponse s, Instant now) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "Cluster:  leader %s, term %d, revision %d (answered by %s, applied index %d, commit index %d)%n",
            s.getLeaderId().isEmpty() ? "NONE" : s.getLeaderId(),
            s.getTerm(),
            s.getRevision(),
            s.getServerId(),
            s.getAppliedIndex(),
            s.getCommitIndex()));
    if (!s.getTrustDomain().isEmpty()) {
      sb.append(
          String.format(
              "Identity: trust domain %s, issuer expires %s%n",
              s.getTrustDomain(),
              s.hasIssuerNotAfter()
                  ? Instant.ofEpochMilli(Timestamps.toMillis(s.getIssuerNotAfter()))
                  : "-"));
    } else {
      sb.append(
          "Identity: no issuing CA installed (raftmesh ca init, then start servers with --issuer-file)\n");
    }
    sb.append('\n');
    Table members =
        new Table("MEMBER", "ROLE", "RAFT-ADDRESS", "API-ADDRESS", "MATCH-INDEX", "LAST-CONTACT");
    for (Member m : s.getMembersList()) {
      members.row(
          m.getId(),
          m.getRole().isEmpty() ? "UNKNOWN" : m.getRole(),
          m.getRaftAddress(),
          m.getApiAddress().isEmpty() ? "-" : m.getApiAddress(),
          m.getMatchIndex() == 0 ? "-" : String.valueOf(m.getMatchIndex()),
          m.getLastContactMillis() < 0 ? "-" : m.getLastContactMillis() + "ms");
    }
    sb.append(members.render()).append('\n');
    if (s.getNodesCount() == 0) {
      sb.append("No nodes enrolled.\n");
      return xdsStreams(sb, s).toString();
    }
    Table nodes = new Table("NODE", "ACKED", "BEHIND", "LAST-NACK", "CERT-EXPIRES-IN", "LAST-SEEN");
    for (NodeStatus n : s.getNodesList()) {
      var spec = n.getSpec();
      nodes.row(
          n.getName(),
          spec.getAckedRevision(),
          n.getRevisionsBehind(),
          spec.hasLastNack()
              ? spec.getLastNack().getRevision() + ": " + spec.getLastNack().getReason()
              : "-",
          spec.hasCertificateNotAfter()
              ? ago(
                  now,
                  Instant.ofEpochMilli(Timestamps.toMillis(spec.getCertificateNotAfter())),
                  false)
              : "-",
          n.getStreamingHere()
              ? "streaming"
              : spec.hasLastSeen()
                  ? ago(now, Instant.ofEpochMilli(Timestamps.toMillis(spec.getLastSeen())), true)
                  : "never");
    }
    sb.append(nodes.render());
    return xdsStreams(sb, s).toString();
  }

  /** The xDS clients of the answering server, when it has any. */
  private static StringBuilder xdsStreams(StringBuilder sb, StatusResponse s) {
    if (s.getXdsStreamsCount() == 0) {
      return sb;
    }
    sb.append('\n').append("xDS clients streaming from ").append(s.getServerId()).append(":\n");
    Table xds = new Table("XDS-NODE", "IDENTITY", "PROTOCOL", "ACKED", "BEHIND", "LAST-NACK");
    for (var x : s.getXdsStreamsList()) {
      xds.row(
          x.getNodeId().isEmpty() ? "-" : x.getNodeId(),
          x.getCaller(),
          x.getDelta() ? "delta" : "sotw",
          x.getAckedRevision(),
          x.getRevisionsBehind(),
          x.getNackedRevision() == 0 ? "-" : x.getNackedRevision() + ": " + x.getNackReason());
    }
    return sb.append(xds.render());
  }

  /** "3m ago" for a past instant, "5h12m" until a future one; "expired" past a deadline. */
  static String ago(Instant now, Instant then, boolean past) {
    Duration d = past ? Duration.between(then, now) : Duration.between(now, then);
    if (d.isNegative()) {
      return past ? "just now" : "expired";
    }
    String text = io.raftmesh.server.config.DurationText.format(Duration.ofSeconds(d.getSeconds()));
    return past ? text + " ago" : text;
  }
}
