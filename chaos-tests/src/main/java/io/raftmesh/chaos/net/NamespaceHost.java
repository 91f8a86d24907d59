package io.raftmesh.chaos.net;

import io.raftmesh.chaos.net.NamespaceNetwork.FirewallKind;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the host offers for {@link NamespaceNetwork}s: whether namespaces work here at all, which
 * firewall tools exist, and the namespaces runs of this harness left behind.
 */
public final class NamespaceHost {
  private static final Logger log = LoggerFactory.getLogger(NamespaceHost.class);
  private static final Duration TIMEOUT = NamespaceNetwork.HOST_TIMEOUT;

  private NamespaceHost() {}

  /**
   * Why namespaces cannot be used here, or empty when they can (root, {@code ip}, nft or iptables,
   * and a probe namespace could be created). Tests skip with this message.
   */
  public static Optional<String> unavailableReason() {
    return Availability.REASON;
  }

  /** Probes once, on first use (the lazy holder idiom). */
  private static final class Availability {
    static final Optional<String> REASON = probe();
  }

  /** Whether {@code kind}'s tool is installed (namespaces aside). */
  public static boolean hasFirewall(FirewallKind kind) {
    List<String> argv =
        kind == FirewallKind.NFT ? List.of("nft", "--version") : List.of("iptables", "--version");
    try {
      return HostCommand.run(argv, null, TIMEOUT).ok();
    } catch (IOException e) {
      return false;
    }
  }

  private static Optional<String> probe() {
    try {
      CommandOutput uid = HostCommand.run(List.of("id", "-u"), null, TIMEOUT);
      if (!uid.ok() || !uid.output().equals("0")) {
        return Optional.of("network namespaces need root (uid is " + uid.output() + ")");
      }
      if (!HostCommand.run(List.of("ip", "-V"), null, TIMEOUT).ok()) {
        return Optional.of("iproute2 (ip) is not installed");
      }
      if (!hasFirewall(FirewallKind.NFT) && !hasFirewall(FirewallKind.IPTABLES)) {
        return Optional.of("neither nft nor iptables is installed");
      }
      String ns =
          NamespaceNetwork.DEFAULT_PREFIX
              + "-"
              + ProcessHandle.current().pid()
              + "-probe"
              + ThreadLocalRandom.current().nextInt(1_000_000);
      CommandOutput add = HostCommand.run(List.of("ip", "netns", "add", ns), null, TIMEOUT);
      if (!add.ok()) {
        return Optional.of("cannot create a network namespace: " + add.output());
      }
      HostCommand.run(List.of("ip", "netns", "del", ns), null, TIMEOUT);
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("cannot run the network tools: " + e.getMessage());
    }
  }

  static void deleteNamespace(String ns) {
    try {
      CommandOutput pids = HostCommand.run(List.of("ip", "netns", "pids", ns), null, TIMEOUT);
      if (pids.ok()) {
        for (String line : pids.output().split("\\s+", -1)) {
          if (!line.isBlank()) {
            ProcessHandle.of(Long.parseLong(line.trim())).ifPresent(ProcessHandle::destroyForcibly);
          }
        }
      }
      CommandOutput del = HostCommand.run(List.of("ip", "netns", "del", ns), null, TIMEOUT);
      if (!del.ok()) {
        log.error("cannot delete namespace={}: {}", ns, del.output());
      }
    } catch (IOException | RuntimeException e) {
      log.error("cannot delete namespace={}", ns, e);
    }
  }

  /** The namespaces that exist now whose names start with {@code prefix-}. */
  public static List<String> listNamespaces(String prefix) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : HostCommand.check(List.of("ip", "netns", "list"), TIMEOUT).split("\n", -1)) {
      String name = line.trim().split("\\s+", -1)[0];
      if (name.startsWith(prefix + "-")) {
        out.add(name);
      }
    }
    return out;
  }

  /**
   * Deletes namespaces left by runs of this harness whose owner process is gone (names {@code
   * <prefix>-<pid>-...}); live runs, including parallel ones, are left alone. Processes still
   * inside those namespaces were started by the dead run and are killed.
   *
   * @return the namespaces removed
   */
  public static List<String> removeLeftovers(String prefix) throws IOException {
    Pattern owned = Pattern.compile(Pattern.quote(prefix) + "-(\\d+)-.*");
    List<String> removed = new ArrayList<>();
    for (String ns : listNamespaces(prefix)) {
      Matcher m = owned.matcher(ns);
      if (!m.matches()) {
        continue;
      }
      long owner = Long.parseLong(m.group(1));
      boolean alive = ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false);
      if (!alive) {
        deleteNamespace(ns);
        removed.add(ns);
      }
    }
    if (!removed.isEmpty()) {
      log.warn("removed leftover namespaces={}", removed);
    }
    return removed;
  }
}
