package io.raftmesh.chaos.validate;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks that no id (certificate serial) was issued twice, counting ids returned by acknowledged
 * operations and ids that surface later in a final listing (for example from operations whose
 * outcome was unknown). With a listing, every acknowledged issuance must also appear in it ({@code
 * unrecorded}): the store must remember what it issued.
 */
public final class UniqueIdsChecker {
  private UniqueIdsChecker() {}

  /**
   * Checks the ids.
   *
   * @param name the checker name in reports (e.g. {@code serials})
   * @param acknowledged ids returned by operations that ended ok
   * @param listing ids found in the final listing, or an empty list when there is none
   * @param listingTaken whether a final listing was taken (enables the {@code unrecorded} check)
   */
  public static CheckResult check(
      String name,
      List<IdObservation> acknowledged,
      List<IdObservation> listing,
      boolean listingTaken) {
    requireNonNull(name, "name");
    CheckResult.Builder result = new CheckResult.Builder(name);
    Map<String, IdObservation> first = new LinkedHashMap<>();
    Set<String> reported = new HashSet<>();
    long duplicates = 0;
    for (List<IdObservation> group : List.of(acknowledged, listing)) {
      for (IdObservation o : group) {
        IdObservation prev = first.putIfAbsent(o.id(), o);
        if (prev != null && !prev.issuance().equals(o.issuance())) {
          duplicates++;
          if (reported.add(o.id() + " " + o.issuance())) {
            result.violation(
                Anomaly.of(
                    "duplicate",
                    "id "
                        + o.id()
                        + " issued twice: "
                        + prev.issuance()
                        + " ("
                        + prev.source()
                        + ") and "
                        + o.issuance()
                        + " ("
                        + o.source()
                        + ")"));
          }
        }
      }
    }
    Set<String> ackIssuances = new HashSet<>();
    acknowledged.forEach(o -> ackIssuances.add(o.issuance()));
    Set<String> listed = new HashSet<>();
    long surfaced = 0;
    for (IdObservation o : listing) {
      listed.add(o.issuance());
      if (!ackIssuances.contains(o.issuance())) {
        surfaced++;
      }
    }
    long unrecorded = 0;
    if (listingTaken) {
      for (IdObservation o : acknowledged) {
        if (!listed.contains(o.issuance())) {
          unrecorded++;
          result.violation(
              Anomaly.of(
                  "unrecorded",
                  "acknowledged id "
                      + o.id()
                      + " ("
                      + o.source()
                      + ") is not in the final listing"));
        }
      }
    }
    return result
        .count("ids", first.size())
        .count("acknowledged", acknowledged.size())
        .count("surfaced-unacknowledged", surfaced)
        .count("duplicates", duplicates)
        .count("unrecorded", unrecorded)
        .build();
  }
}
