package io.raftmesh.server.cli;

import io.raftmesh.ca.CaException;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.server.config.DurationText;
import java.time.Duration;
import java.util.Locale;

/** Parses option values into domain types, reporting {@code NAME=value is not valid: reason}. */
final class CliValues {

  private CliValues() {}

  static Duration duration(String option, String text) {
    try {
      Duration d = DurationText.parse(text);
      if (d.isNegative()) {
        throw new UsageException(option + "=" + text + " is not valid: must not be negative");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new UsageException(option + "=" + text + " is not valid: " + e.getMessage());
    }
  }

  static TrustDomain trustDomain(String option, String text) {
    try {
      return TrustDomain.parse(text);
    } catch (CaException e) {
      throw new UsageException(option + "=" + text + " is not valid: " + e.getMessage());
    }
  }

  static KeyAlgorithm keyAlgorithm(String option, String text) {
    return switch (text.toUpperCase(Locale.ROOT).replace("_", "-")) {
      case "P-256", "P256", "EC-P256" -> KeyAlgorithm.EC_P256;
      case "P-384", "P384", "EC-P384" -> KeyAlgorithm.EC_P384;
      default ->
          throw new UsageException(option + "=" + text + " is not valid: expected P-256 or P-384");
    };
  }
}
