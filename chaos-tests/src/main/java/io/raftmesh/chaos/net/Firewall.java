package io.raftmesh.chaos.net;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Drop rules inside one network namespace, in two independent groups: partition rules (drop or
 * reject packets from given addresses) and loss rules (drop a random share of incoming packets).
 * Implementations return the argument vectors to run inside the namespace.
 */
interface Firewall {
  /** Creates the (empty) rule groups. */
  List<List<String>> setup();

  /** Adds a rule for packets from {@code sources}. */
  List<List<String>> partition(Set<String> sources, DropAction action);

  /** Removes every partition rule. */
  List<List<String>> healPartition();

  /** Adds a rule dropping a {@code probability} share of incoming packets (0 &lt; p &lt;= 1). */
  List<List<String>> loss(double probability);

  /** Removes every loss rule. */
  List<List<String>> clearLoss();

  /** Lists the rules, for reports and tests. */
  List<String> list();

  /** The nftables implementation: table {@code inet rmchaos}, chains at input priority 0 and 1. */
  final class Nft implements Firewall {
    @Override
    public List<List<String>> setup() {
      return List.of(
          List.of("nft", "add table inet rmchaos"),
          List.of(
              "nft",
              "add chain inet rmchaos partition { type filter hook input priority 0; policy accept; }"),
          List.of(
              "nft",
              "add chain inet rmchaos loss { type filter hook input priority 1; policy accept; }"));
    }

    @Override
    public List<List<String>> partition(Set<String> sources, DropAction action) {
      return List.of(
          List.of(
              "nft",
              "add rule inet rmchaos partition ip saddr { "
                  + String.join(", ", sources)
                  + " } "
                  + action.name().toLowerCase(Locale.ROOT)));
    }

    @Override
    public List<List<String>> healPartition() {
      return List.of(List.of("nft", "flush chain inet rmchaos partition"));
    }

    @Override
    public List<List<String>> loss(double probability) {
      int perMille = (int) Math.round(probability * 1000);
      if (perMille >= 1000) {
        return List.of(List.of("nft", "add rule inet rmchaos loss drop"));
      }
      return List.of(
          List.of(
              "nft",
              "add rule inet rmchaos loss numgen random mod 1000 < "
                  + Math.max(1, perMille)
                  + " drop"));
    }

    @Override
    public List<List<String>> clearLoss() {
      return List.of(List.of("nft", "flush chain inet rmchaos loss"));
    }

    @Override
    public List<String> list() {
      return List.of("nft", "list table inet rmchaos");
    }
  }

  /** The iptables implementation: chains RMCHAOS-PART and RMCHAOS-LOSS jumped to from INPUT. */
  final class Iptables implements Firewall {
    @Override
    public List<List<String>> setup() {
      return List.of(
          List.of("iptables", "-w", "-N", "RMCHAOS-PART"),
          List.of("iptables", "-w", "-N", "RMCHAOS-LOSS"),
          List.of("iptables", "-w", "-A", "INPUT", "-j", "RMCHAOS-PART"),
          List.of("iptables", "-w", "-A", "INPUT", "-j", "RMCHAOS-LOSS"));
    }

    @Override
    public List<List<String>> partition(Set<String> sources, DropAction action) {
      return List.of(
          List.of(
              "iptables",
              "-w",
              "-A",
              "RMCHAOS-PART",
              "-s",
              String.join(",", sources),
              "-j",
              action.name()));
    }

    @Override
    public List<List<String>> healPartition() {
      return List.of(List.of("iptables", "-w", "-F", "RMCHAOS-PART"));
    }

    @Override
    public List<List<String>> loss(double probability) {
      return List.of(
          List.of(
              "iptables",
              "-w",
              "-A",
              "RMCHAOS-LOSS",
              "-m",
              "statistic",
              "--mode",
              "random",
              "--probability",
              String.format(Locale.ROOT, "%.4f", probability),
              "-j",
              "DROP"));
    }

    @Override
    public List<List<String>> clearLoss() {
      return List.of(List.of("iptables", "-w", "-F", "RMCHAOS-LOSS"));
    }

    @Override
    public List<String> list() {
      return List.of("iptables", "-w", "-S");
    }
  }
}
