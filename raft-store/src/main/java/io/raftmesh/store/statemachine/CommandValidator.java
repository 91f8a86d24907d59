package io.raftmesh.store.statemachine;

import com.google.protobuf.ByteString;
import io.raftmesh.proto.v1.Compare;
import io.raftmesh.proto.v1.DeleteOp;
import io.raftmesh.proto.v1.PutOp;
import io.raftmesh.proto.v1.StoreCommand;
import io.raftmesh.proto.v1.TxnOp;
import io.raftmesh.proto.v1.TxnWrite;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Checks a {@link StoreCommand} before it is proposed (on the leader, with the configured limits)
 * and again when it is applied (structure only: a pure function of the command, so every replica
 * decides the same). Messages read {@code <name>: <value> (expected: <constraint>)}.
 */
public final class CommandValidator {
  /** Longest key accepted. */
  public static final int MAX_KEY_BYTES = 4096;

  /** Longest request id accepted. */
  public static final int MAX_REQUEST_ID_BYTES = 128;

  /** Most compares plus writes in one transaction. */
  public static final int MAX_TXN_OPS = 1024;

  private static final Comparator<ByteString> ORDER =
      ByteString.unsignedLexicographicalComparator();
  private static final ByteString TO_END = ByteString.copyFrom(new byte[] {0});

  private CommandValidator() {}

  /**
   * The structural problem of {@code command}, or null when it is well formed. Depends on nothing
   * but the command.
   */
  public static @Nullable String structural(StoreCommand command) {
    int idLength = command.getRequestId().getBytes(StandardCharsets.UTF_8).length;
    if (idLength == 0 || idLength > MAX_REQUEST_ID_BYTES) {
      return "request_id: "
          + idLength
          + " bytes (expected: 1.."
          + MAX_REQUEST_ID_BYTES
          + " bytes, a unique id per logical request)";
    }
    return switch (command.getOpCase()) {
      case PUT -> put("put", command.getPut());
      case DELETE -> delete("delete", command.getDelete());
      case TXN -> txn(command.getTxn());
      case COMPACT ->
          command.getCompact().getRevision() < 1
              ? "compact.revision: "
                  + command.getCompact().getRevision()
                  + " (expected: at least 1)"
              : null;
      case OP_NOT_SET -> "op: not set (expected: one of put, delete, txn, compact)";
    };
  }

  /**
   * The first limit {@code command} breaks on this member (value size, request size), or null.
   * Checked on the leader only; never at apply time, because members may be configured apart.
   */
  public static @Nullable String limits(
      StoreCommand command, int maxValueBytes, int maxRequestBytes) {
    int size = command.getSerializedSize();
    if (size > maxRequestBytes) {
      return "request: " + size + " bytes (expected: at most " + maxRequestBytes + " bytes)";
    }
    List<PutOp> puts = new ArrayList<>();
    if (command.hasPut()) {
      puts.add(command.getPut());
    } else if (command.hasTxn()) {
      for (TxnWrite w : command.getTxn().getSuccessList()) {
        if (w.hasPut()) {
          puts.add(w.getPut());
        }
      }
      for (TxnWrite w : command.getTxn().getFailureList()) {
        if (w.hasPut()) {
          puts.add(w.getPut());
        }
      }
    }
    for (PutOp put : puts) {
      if (put.getValue().size() > maxValueBytes) {
        return "value of "
            + printable(put.getKey())
            + ": "
            + put.getValue().size()
            + " bytes (expected: at most "
            + maxValueBytes
            + " bytes)";
      }
    }
    return null;
  }

  private static @Nullable String put(String where, PutOp put) {
    return key(where + ".key", put.getKey());
  }

  private static @Nullable String delete(String where, DeleteOp delete) {
    String problem = key(where + ".key", delete.getKey());
    if (problem != null) {
      return problem;
    }
    ByteString end = delete.getRangeEnd();
    if (!end.isEmpty() && !end.equals(TO_END) && ORDER.compare(end, delete.getKey()) <= 0) {
      return where
          + ".range_end: "
          + printable(end)
          + " (expected: empty, \\0, or above key "
          + printable(delete.getKey())
          + ")";
    }
    return null;
  }

  private static @Nullable String txn(TxnOp txn) {
    int ops = txn.getComparesCount() + txn.getSuccessCount() + txn.getFailureCount();
    if (ops > MAX_TXN_OPS) {
      return "txn: " + ops + " compares and writes (expected: at most " + MAX_TXN_OPS + ")";
    }
    for (int i = 0; i < txn.getComparesCount(); i++) {
      String problem = compare("txn.compares[" + i + "]", txn.getCompares(i));
      if (problem != null) {
        return problem;
      }
    }
    String problem = branch("txn.success", txn.getSuccessList());
    return problem != null ? problem : branch("txn.failure", txn.getFailureList());
  }

  private static @Nullable String compare(String where, Compare c) {
    String problem = key(where + ".key", c.getKey());
    if (problem != null) {
      return problem;
    }
    if (c.getResult() == Compare.Result.RESULT_UNSPECIFIED
        || c.getResult() == Compare.Result.UNRECOGNIZED) {
      return where + ".result: " + c.getResult() + " (expected: EQUAL, NOT_EQUAL, LESS, GREATER)";
    }
    Compare.OperandCase expected =
        switch (c.getTarget()) {
          case VALUE -> Compare.OperandCase.VALUE;
          case MOD_REVISION, CREATE_REVISION -> Compare.OperandCase.REVISION;
          case VERSION -> Compare.OperandCase.VERSION;
          case EXISTS -> Compare.OperandCase.EXISTS;
          default -> null;
        };
    if (expected == null) {
      return where + ".target: " + c.getTarget() + " (expected: a target)";
    }
    if (c.getOperandCase() != expected) {
      return where
          + ".operand: "
          + c.getOperandCase()
          + " (expected: "
          + expected
          + " for target "
          + c.getTarget()
          + ")";
    }
    if (c.getTarget() == Compare.Target.EXISTS
        && c.getResult() != Compare.Result.EQUAL
        && c.getResult() != Compare.Result.NOT_EQUAL) {
      return where + ".result: " + c.getResult() + " (expected: EQUAL or NOT_EQUAL for EXISTS)";
    }
    return null;
  }

  /** Each branch touches a key at most once: puts are unique and outside every deleted range. */
  private static @Nullable String branch(String where, List<TxnWrite> writes) {
    Set<ByteString> putKeys = new HashSet<>();
    List<DeleteOp> deletes = new ArrayList<>();
    for (int i = 0; i < writes.size(); i++) {
      TxnWrite w = writes.get(i);
      String at = where + "[" + i + "]";
      if (w.hasPut()) {
        String problem = put(at + ".put", w.getPut());
        if (problem != null) {
          return problem;
        }
        if (!putKeys.add(w.getPut().getKey())) {
          return at + ".put.key: " + printable(w.getPut().getKey()) + " (expected: written once)";
        }
      } else if (w.hasDelete()) {
        String problem = delete(at + ".delete", w.getDelete());
        if (problem != null) {
          return problem;
        }
        deletes.add(w.getDelete());
      } else {
        return at + ": empty (expected: put or delete)";
      }
    }
    for (int i = 0; i < deletes.size(); i++) {
      for (ByteString key : putKeys) {
        if (covers(deletes.get(i), key)) {
          return where + ": put of " + printable(key) + " inside a deleted range (expected: not)";
        }
      }
      for (int j = i + 1; j < deletes.size(); j++) {
        if (overlap(deletes.get(i), deletes.get(j))) {
          return where + ": overlapping deletes (expected: each key deleted once)";
        }
      }
    }
    return null;
  }

  private static @Nullable String key(String name, ByteString key) {
    if (key.isEmpty()) {
      return name + ": empty (expected: 1.." + MAX_KEY_BYTES + " bytes)";
    }
    if (key.size() > MAX_KEY_BYTES) {
      return name + ": " + key.size() + " bytes (expected: 1.." + MAX_KEY_BYTES + " bytes)";
    }
    return null;
  }

  private static boolean covers(DeleteOp d, ByteString key) {
    if (d.getRangeEnd().isEmpty()) {
      return d.getKey().equals(key);
    }
    return ORDER.compare(key, d.getKey()) >= 0
        && (d.getRangeEnd().equals(TO_END) || ORDER.compare(key, d.getRangeEnd()) < 0);
  }

  private static boolean overlap(DeleteOp a, DeleteOp b) {
    return covers(a, b.getKey()) || covers(b, a.getKey());
  }

  /** A key for an error message: UTF-8 when it is printable, else its length. */
  static String printable(ByteString key) {
    if (key.isValidUtf8() && key.size() <= 256) {
      return "\"" + key.toStringUtf8() + "\"";
    }
    return "<" + key.size() + " bytes>";
  }
}
