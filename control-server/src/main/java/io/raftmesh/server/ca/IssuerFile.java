package io.raftmesh.server.ca;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.raftmesh.ca.keys.KeyFiles;
import io.raftmesh.proto.v1.IssuerRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The issuing CA as a file: an {@link IssuerRecord} in proto3 JSON (its private key sealed under
 * the cluster KEK, so the file holds no secret in the clear). {@code raftmesh ca init} writes it; a
 * server given {@code --issuer-file} installs it through Raft when the store has no issuer yet.
 */
public final class IssuerFile {

  /** The file name {@code ca init} uses. */
  public static final String NAME = "issuer.json";

  private IssuerFile() {}

  /**
   * Writes {@code record} to {@code path} (mode 0600: it is only useful with the KEK, but still).
   */
  public static void write(Path path, IssuerRecord record) {
    try {
      String json = JsonFormat.printer().print(record);
      KeyFiles.writeSecret(path, json.getBytes(StandardCharsets.UTF_8));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot encode the issuer record", e);
    }
  }

  /**
   * Reads an issuer file.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  public static IssuerRecord read(Path path) {
    String text;
    try {
      text = Files.readString(path);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "issuer file " + path + ": cannot read it (" + e.getMessage() + ")", e);
    }
    IssuerRecord.Builder b = IssuerRecord.newBuilder();
    try {
      JsonFormat.parser().merge(text, b);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "issuer file " + path + ": not an issuer record (" + e.getMessage() + ")", e);
    }
    IssuerRecord r = b.build();
    if (r.getEncryptedPrivateKey().isEmpty()
        || r.getCertificateChainPem().isEmpty()
        || r.getTrustBundlePem().isEmpty()) {
      throw new IllegalArgumentException(
          "issuer file "
              + path
              + ": incomplete (expected: encryptedPrivateKey, certificateChainPem and trustBundlePem)");
    }
    return r;
  }
}
