package io.raftmesh.server.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Status;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class XdsStreamsTest {
  private static final String CDS = Resources.V3.CLUSTER_TYPE_URL;
  private static final String RDS = Resources.V3.ROUTE_TYPE_URL;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final XdsStreams streams = new XdsStreams("n1", Clock.systemUTC());

  XdsStreamsTest() {
    streams.metrics(new XdsMetrics(registry, streams::size, () -> 9, () -> 4));
  }

  static XdsSnapshot snapshot(long revision, long cdsVersion, long rdsVersion) {
    return new XdsSnapshot(
        revision,
        Map.of(
            CDS, new XdsSnapshot.TypeResources(cdsVersion, Map.of()),
            RDS, new XdsSnapshot.TypeResources(rdsVersion, Map.of())));
  }

  void request(String type, String nonce, String version, String nack, String... names) {
    DiscoveryRequest.Builder r =
        DiscoveryRequest.newBuilder()
            .setNode(Node.newBuilder().setId("client-1"))
            .setTypeUrl(type)
            .setResponseNonce(nonce)
            .setVersionInfo(version)
            .addAllResourceNames(List.of(names));
    if (!nack.isEmpty()) {
      r.setErrorDetail(Status.newBuilder().setMessage(nack));
    }
    streams.onV3StreamRequest(7, r.build());
    XdsStreams.takeCurrent();
  }

  void respond(String type, String nonce, long version) {
    streams.onV3StreamResponse(
        7,
        DiscoveryRequest.getDefaultInstance(),
        DiscoveryResponse.newBuilder()
            .setTypeUrl(type)
            .setNonce(nonce)
            .setVersionInfo(Long.toString(version))
            .build());
  }

  @Test
  void acksAndNacksAnswerTheLatestResponseAndShowInStatusAndMetrics() throws Exception {
    streams.onStreamOpen(7, "");
    request(CDS, "", "", "", "a");
    request(RDS, "", "", "", "r");
    respond(CDS, "0", 5);
    respond(RDS, "1", 5);
    request(CDS, "0", "5", "", "a");
    request(RDS, "1", "5", "", "r");
    assertThat(streams.clients(snapshot(6, 5, 5)).get(0).ackedRevision())
        .as("both types acknowledged at their current versions: the client holds revision 6")
        .isEqualTo(6);

    respond(CDS, "2", 8);
    request(CDS, "2", "5", "cluster a is broken", "a");
    XdsClientStatus s = streams.clients(snapshot(8, 8, 5)).get(0);
    assertThat(s.ackedRevision()).isEqualTo(5);
    assertThat(s.nackedRevision()).isEqualTo(8);
    assertThat(s.nackReason()).isEqualTo("cluster a is broken");
    assertThat(s.node()).isEqualTo("client-1");

    request(CDS, "0", "5", "an answer to an older response", "a");
    assertThat(streams.clients(snapshot(8, 8, 5)).get(0).nackReason())
        .isEqualTo("cluster a is broken");

    request(CDS, "2", "5", "", new String[0]); // stops watching clusters
    assertThat(streams.clients(snapshot(8, 8, 5)).get(0).ackedRevision()).isEqualTo(8);

    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    String text = out.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(text)
        .contains("raftmesh_xds_nacks_total{type=\"cluster\"} 1")
        .contains("raftmesh_xds_acks_total{type=\"route\"} 1")
        .contains("raftmesh_xds_responses_total{type=\"cluster\"} 2")
        .contains("raftmesh_xds_streams 1")
        .contains("raftmesh_xds_snapshot_revision 9");
    streams.onStreamClose(7, "");
    assertThat(streams.size()).isZero();
  }
}
