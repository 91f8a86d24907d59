package io.raftmesh.agent.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.raftmesh.proto.v1.Protocol;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Builds an {@link AgentConfig} from the YAML config file and overrides from flags and environment
 * variables (precedence: flag &gt; environment &gt; file &gt; default; the caller resolves flag
 * versus environment). Every problem is reported with its field path, all at once.
 *
 * <p>The file's top-level keys are the option names ({@code node}, {@code servers}, {@code
 * data-dir}, ...); {@code services} holds the local services. See the module README for a full
 * example.
 */
public final class AgentConfigParser {

  /** Default data directory. */
  public static final String DEFAULT_DATA_DIR = "/var/lib/raftmesh/agent";

  /** Default admin port. */
  public static final int DEFAULT_ADMIN_PORT = 15000;

  /** Top-level keys of the file; also the names of the flags that override them. */
  public static final Set<String> SETTINGS =
      Set.of(
          "node",
          "servers",
          "data-dir",
          "advertise-address",
          "inbound-address",
          "outbound-address",
          "admin-address",
          "admin-port",
          "metrics-address",
          "heartbeat-interval",
          "telemetry-interval",
          "join-timeout",
          "backoff-min",
          "backoff-max");

  private static final Set<String> TOP_LEVEL = union(SETTINGS, Set.of("services"));
  private static final Set<String> SERVICE_KEYS =
      Set.of(
          "name",
          "namespace",
          "protocol",
          "app-address",
          "app-port",
          "inbound-port",
          "outbound-port",
          "labels",
          "weight",
          "locality",
          "health",
          "upstreams");
  private static final Set<String> HEALTH_KEYS =
      Set.of("http-path", "tcp", "interval", "timeout", "healthy-threshold", "unhealthy-threshold");
  private static final Set<String> UPSTREAM_KEYS = Set.of("service", "namespace", "local-port");

  /**
   * A value from a flag or an environment variable.
   *
   * @param value the text as given
   * @param source how the user gave it, e.g. {@code --admin-port} or {@code
   *     RAFTMESH_AGENT_ADMIN_PORT}, used in error messages
   */
  public record Setting(String value, String source) {
    /** Requires both. */
    public Setting {
      requireNonNull(value, "value");
      requireNonNull(source, "source");
    }
  }

  private AgentConfigParser() {}

  /**
   * Parses and validates.
   *
   * @param yaml the config file's text, or null when there is no file
   * @param fileName the file's name, for messages
   * @param overrides values from flags and the environment, keyed by setting name ({@link
   *     #SETTINGS})
   * @throws InvalidConfigException listing every problem
   */
  public static AgentConfig parse(
      @Nullable String yaml, String fileName, Map<String, Setting> overrides) {
    List<String> problems = new ArrayList<>();
    ObjectNode root = readTree(yaml, fileName, problems);
    Map<String, String> labels = new HashMap<>();
    for (Map.Entry<String, Setting> e : overrides.entrySet()) {
      if (!SETTINGS.contains(e.getKey())) {
        throw new IllegalArgumentException("override: " + e.getKey() + " (expected: a setting)");
      }
      root.set(e.getKey(), TextNode.valueOf(e.getValue().value()));
      labels.put(e.getKey(), e.getValue().source());
    }
    Fields f = new Fields("", root, problems, labels);
    f.rejectUnknown(TOP_LEVEL);

    String node = f.dnsLabel("node", null, "this node's name");
    List<HostPort> servers = new ArrayList<>();
    for (JsonNode s : f.list("servers")) {
      try {
        servers.add(HostPort.parse(s.asText()));
      } catch (IllegalArgumentException e) {
        f.problem(f.path("servers") + "[" + servers.size() + "]", s.asText(), "host:port");
      }
    }
    if (servers.isEmpty() && f.raw("servers") == null) {
      f.problem(f.path("servers"), null, "at least one control server host:port");
    }
    Path dataDir = Path.of(DEFAULT_DATA_DIR);
    String dir = f.text("data-dir", DEFAULT_DATA_DIR);
    try {
      dataDir = Path.of(requireNonNull(dir));
    } catch (InvalidPathException e) {
      f.problem(f.path("data-dir"), dir, "a directory path");
    }
    String inbound = address(f, "inbound-address", "0.0.0.0", false);
    String outbound = address(f, "outbound-address", "127.0.0.1", false);
    String advertise = address(f, "advertise-address", "127.0.0.1", false);
    String admin = address(f, "admin-address", "127.0.0.1", true);
    int adminPort = f.integer("admin-port", DEFAULT_ADMIN_PORT, 0, 65535);
    Optional<HostPort> metrics = Optional.empty();
    String metricsText = f.text("metrics-address", "");
    if (metricsText != null && !metricsText.isBlank()) {
      try {
        metrics = Optional.of(HostPort.parse(metricsText));
      } catch (IllegalArgumentException e) {
        f.problem(f.path("metrics-address"), metricsText, "host:port, e.g. 0.0.0.0:15090");
      }
    }
    Duration heartbeat =
        f.duration(
            "heartbeat-interval",
            Duration.ofSeconds(5),
            Duration.ofMillis(100),
            Duration.ofHours(1));
    Duration telemetry =
        f.duration(
            "telemetry-interval",
            Duration.ofSeconds(5),
            Duration.ofMillis(100),
            Duration.ofMinutes(1));
    Duration joinTimeout =
        f.duration(
            "join-timeout", Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofHours(1));
    Duration backoffMin =
        f.duration(
            "backoff-min", Duration.ofMillis(200), Duration.ofMillis(10), Duration.ofMinutes(1));
    Duration backoffMax =
        f.duration(
            "backoff-max", Duration.ofSeconds(15), Duration.ofMillis(10), Duration.ofMinutes(10));
    if (backoffMin.compareTo(backoffMax) > 0) {
      f.problem(
          f.path("backoff-min"),
          DurationText.format(backoffMin),
          "at most backoff-max " + DurationText.format(backoffMax));
    }

    List<LocalServiceConfig> services = new ArrayList<>();
    JsonNode list = f.raw("services");
    if (list != null && !list.isArray()) {
      f.problem("services", list.toString(), "a list of services");
    } else if (list != null) {
      for (int i = 0; i < list.size(); i++) {
        String path = "services[" + i + "]";
        JsonNode s = list.get(i);
        if (!s.isObject()) {
          f.problem(path, s.toString(), "a mapping with name, app-port, inbound-port, ...");
          continue;
        }
        services.add(service(new Fields(path, s, problems)));
      }
    }
    checkUnique(services, problems);
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems);
    }
    return new AgentConfig(
        node,
        servers,
        dataDir,
        advertise,
        inbound,
        outbound,
        admin,
        adminPort,
        metrics,
        heartbeat,
        telemetry,
        joinTimeout,
        backoffMin,
        backoffMax,
        services);
  }

  private static ObjectNode readTree(
      @Nullable String yaml, String fileName, List<String> problems) {
    YAMLMapper mapper = new YAMLMapper();
    if (yaml == null || yaml.isBlank()) {
      return mapper.createObjectNode();
    }
    try {
      JsonNode tree = mapper.readTree(yaml);
      if (tree == null || tree.isNull() || tree.isMissingNode()) {
        return mapper.createObjectNode();
      }
      if (tree instanceof ObjectNode object) {
        return object;
      }
      problems.add(fileName + ": not a mapping (expected: a YAML mapping of settings)");
    } catch (JsonProcessingException e) {
      String message = e.getOriginalMessage();
      var loc = e.getLocation();
      problems.add(
          fileName
              + (loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr())
              + ": "
              + (message == null ? "unreadable" : message.lines().findFirst().orElse(message))
              + " (expected: valid YAML)");
    }
    return mapper.createObjectNode();
  }

  private static String address(Fields f, String key, String fallback, boolean loopbackOnly) {
    String v = requireNonNull(f.text(key, fallback));
    if (v.isBlank() || v.contains(" ") || v.contains("/")) {
      f.problem(f.path(key), v, "a host name or IP address");
      return fallback;
    }
    if (loopbackOnly) {
      try {
        if (!InetAddress.getByName(v).isLoopbackAddress()) {
          f.problem(f.path(key), v, "a loopback address: the admin endpoint is local only");
          return fallback;
        }
      } catch (UnknownHostException e) {
        f.problem(f.path(key), v, "a resolvable loopback address");
        return fallback;
      }
    }
    return v;
  }

  private static LocalServiceConfig service(Fields s) {
    s.rejectUnknown(SERVICE_KEYS);
    String name = s.dnsLabel("name", null, "the service's name");
    String namespace = s.dnsLabel("namespace", "default", "the service's namespace");
    Protocol protocol = protocol(s);
    String appAddress = address(s, "app-address", "127.0.0.1", false);
    int appPort = s.requiredPort("app-port");
    int inboundPort = s.requiredPort("inbound-port");
    int outboundPort = s.integer("outbound-port", 0, 0, 65535);
    Map<String, String> labels = new LinkedHashMap<>();
    Fields l = s.object("labels");
    JsonNode rawLabels = s.raw("labels");
    if (l != null && rawLabels != null) {
      rawLabels
          .properties()
          .forEach(
              e -> {
                if (!e.getValue().isValueNode() || e.getKey().isEmpty()) {
                  l.problem(l.path(e.getKey()), e.getValue().toString(), "a string label value");
                } else {
                  labels.put(e.getKey(), e.getValue().asText());
                }
              });
    }
    int weight = s.integer("weight", 1, 1, 10_000);
    String locality = requireNonNull(s.text("locality", ""));
    HealthCheckConfig health = HealthCheckConfig.NONE;
    Fields h = s.object("health");
    if (h != null) {
      health = health(h);
    }
    List<UpstreamConfig> upstreams = new ArrayList<>();
    JsonNode ups = s.raw("upstreams");
    if (ups != null && !ups.isArray()) {
      s.problem(s.path("upstreams"), ups.toString(), "a list of upstream services");
    } else if (ups != null) {
      for (int i = 0; i < ups.size(); i++) {
        upstreams.add(upstream(s, s.path("upstreams") + "[" + i + "]", ups.get(i), namespace));
      }
    }
    boolean anyHttpUpstream = upstreams.stream().anyMatch(u -> u.localPort() == 0);
    if (anyHttpUpstream && outboundPort == 0) {
      s.problem(
          s.path("outbound-port"),
          null,
          "a loopback port for the HTTP listener, since an upstream has no local-port");
    }
    return new LocalServiceConfig(
        namespace,
        name,
        protocol,
        appAddress,
        appPort,
        inboundPort,
        outboundPort,
        labels,
        weight,
        locality,
        health,
        upstreams);
  }

  private static Protocol protocol(Fields s) {
    String p = requireNonNull(s.text("protocol", "tcp")).toLowerCase(Locale.ROOT);
    return switch (p) {
      case "tcp" -> Protocol.TCP;
      case "http" -> Protocol.HTTP;
      case "http2" -> Protocol.HTTP2;
      case "grpc" -> Protocol.GRPC;
      default -> {
        s.problem(s.path("protocol"), p, "one of tcp, http, http2, grpc");
        yield Protocol.TCP;
      }
    };
  }

  private static HealthCheckConfig health(Fields h) {
    h.rejectUnknown(HEALTH_KEYS);
    String httpPath = h.text("http-path", null);
    boolean tcp = h.bool("tcp", false);
    HealthCheckConfig.Kind kind;
    if (httpPath != null && tcp) {
      h.problem(h.path("tcp"), "true", "either http-path or tcp, not both");
      kind = HealthCheckConfig.Kind.HTTP;
    } else if (httpPath != null) {
      if (!httpPath.startsWith("/") || httpPath.chars().anyMatch(c -> c <= ' ')) {
        h.problem(h.path("http-path"), httpPath, "an absolute path such as /healthz");
      }
      kind = HealthCheckConfig.Kind.HTTP;
    } else if (tcp) {
      kind = HealthCheckConfig.Kind.TCP;
    } else {
      h.problem(h.path("http-path"), null, "http-path: /path or tcp: true");
      kind = HealthCheckConfig.Kind.TCP;
    }
    Duration interval =
        h.duration("interval", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofHours(1));
    Duration timeout =
        h.duration("timeout", Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMinutes(5));
    if (timeout.compareTo(interval) > 0) {
      h.problem(
          h.path("timeout"),
          DurationText.format(timeout),
          "at most the interval " + DurationText.format(interval));
      timeout = interval;
    }
    int healthy = h.integer("healthy-threshold", 2, 1, 100);
    int unhealthy = h.integer("unhealthy-threshold", 3, 1, 100);
    return new HealthCheckConfig(
        kind, httpPath == null ? "" : httpPath, interval, timeout, healthy, unhealthy);
  }

  private static UpstreamConfig upstream(
      Fields parent, String path, JsonNode node, String defaultNamespace) {
    if (node.isTextual()) {
      String[] parts = node.asText().split("/", -1);
      if (parts.length == 1 || parts.length == 2) {
        String ns = parts.length == 2 ? parts[0] : defaultNamespace;
        String svc = parts[parts.length - 1];
        ObjectNode o = new YAMLMapper().createObjectNode();
        o.put("namespace", ns);
        o.put("service", svc);
        node = o;
      }
    }
    if (!node.isObject()) {
      parent.problem(path, node.toString(), "a service name, namespace/name, or a mapping");
      return new UpstreamConfig(defaultNamespace, "invalid", 0);
    }
    Fields reporting = parent.child(path, node);
    reporting.rejectUnknown(UPSTREAM_KEYS);
    String service = reporting.dnsLabel("service", null, "the upstream service's name");
    String namespace = reporting.dnsLabel("namespace", defaultNamespace, "its namespace");
    int port = reporting.integer("local-port", 0, 0, 65535);
    return new UpstreamConfig(namespace, service, port);
  }

  private static void checkUnique(List<LocalServiceConfig> services, List<String> problems) {
    Set<String> names = new HashSet<>();
    Map<Integer, String> ports = new HashMap<>();
    for (int i = 0; i < services.size(); i++) {
      LocalServiceConfig s = services.get(i);
      String path = "services[" + i + "]";
      if (!names.add(s.qualifiedName())) {
        problems.add(
            path + ".name: " + Fields.quote(s.qualifiedName()) + " (expected: each service once)");
      }
      claim(ports, s.inboundPort(), path + ".inbound-port", problems);
      if (s.outboundPort() != 0) {
        claim(ports, s.outboundPort(), path + ".outbound-port", problems);
      }
      Set<String> ups = new HashSet<>();
      for (int j = 0; j < s.upstreams().size(); j++) {
        UpstreamConfig u = s.upstreams().get(j);
        String upath = path + ".upstreams[" + j + "]";
        if (!ups.add(u.qualifiedName())) {
          problems.add(
              upath + ": " + Fields.quote(u.qualifiedName()) + " (expected: each upstream once)");
        }
        if (u.localPort() != 0) {
          claim(ports, u.localPort(), upath + ".local-port", problems);
        }
      }
    }
  }

  private static void claim(Map<Integer, String> ports, int port, String path, List<String> out) {
    String previous = ports.putIfAbsent(port, path);
    if (previous != null) {
      out.add(path + ": " + port + " (expected: a port no other listener uses; " + previous + ")");
    }
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new HashSet<>(a);
    all.addAll(b);
    return Set.copyOf(all);
  }
}
