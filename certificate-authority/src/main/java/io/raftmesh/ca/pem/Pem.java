package io.raftmesh.ca.pem;

import static java.util.Objects.requireNonNull;

import io.raftmesh.ca.CaException;
import io.raftmesh.ca.keys.KeyFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Strict PEM (RFC 7468) for certificates, chains, PKCS#8 private keys and CSRs. Input may hold only
 * PEM blocks and whitespace; anything else, a missing END line, bad base64, or a block of another
 * type is an error that says which block or line and what was expected. Private keys are written as
 * unencrypted PKCS#8 ({@code PRIVATE KEY}) to files with mode 0600.
 */
public final class Pem {
  /** Block type of an X.509 certificate. */
  public static final String CERTIFICATE = "CERTIFICATE";

  /** Block type of an unencrypted PKCS#8 private key. */
  public static final String PRIVATE_KEY = "PRIVATE KEY";

  /** Block type of a PKCS#10 certificate request. */
  public static final String CERTIFICATE_REQUEST = "CERTIFICATE REQUEST";

  /** The largest PEM text accepted, in characters; far above any chain or key the mesh uses. */
  public static final int MAX_CHARS = 1 << 20;

  private Pem() {}

  /** One decoded PEM block. */
  public record Block(String type, byte[] der) {
    /** Copies nothing: blocks are short-lived. */
    public Block {
      requireNonNull(type, "type");
      requireNonNull(der, "der");
    }
  }

  /** Encodes {@code der} as one PEM block of {@code type}, lines of 64 characters. */
  public static String encode(String type, byte[] der) {
    requireNonNull(type, "type");
    requireNonNull(der, "der");
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  /** Encodes certificates (a chain: leaf first) as consecutive PEM blocks. */
  public static String encodeCertificates(List<X509Certificate> certificates) {
    requireNonNull(certificates, "certificates");
    StringBuilder out = new StringBuilder();
    for (X509Certificate certificate : certificates) {
      try {
        out.append(encode(CERTIFICATE, certificate.getEncoded()));
      } catch (CertificateEncodingException e) {
        throw new PemException("certificate: cannot be encoded", e);
      }
    }
    return out.toString();
  }

  /** Encodes a private key as an unencrypted PKCS#8 PEM block. */
  public static String encodePrivateKey(PrivateKey key) {
    requireNonNull(key, "key");
    byte[] der = key.getEncoded();
    if (der == null || !"PKCS#8".equals(key.getFormat())) {
      throw new PemException(
          "private key: format " + key.getFormat() + " (expected: PKCS#8-encodable)");
    }
    try {
      return encode(PRIVATE_KEY, der);
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  /**
   * Decodes every block in {@code text}.
   *
   * @throws PemException for empty input, text outside blocks, a missing END line, a BEGIN/END type
   *     mismatch, PEM headers or bad base64
   */
  public static List<Block> decode(String text) {
    requireNonNull(text, "text");
    if (text.length() > MAX_CHARS) {
      throw new PemException(
          "pem: " + text.length() + " characters (expected: at most " + MAX_CHARS + ")");
    }
    List<Block> blocks = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    int i = 0;
    while (i < lines.length) {
      String line = lines[i].strip();
      if (line.isEmpty()) {
        i++;
        continue;
      }
      if (!line.startsWith("-----BEGIN ") || !line.endsWith("-----") || line.length() < 17) {
        throw new PemException(
            "pem: line "
                + (i + 1)
                + " is "
                + CaException.quote(line)
                + " (expected: only PEM blocks, \"-----BEGIN <type>-----\" ... \"-----END <type>-----\")");
      }
      String type = line.substring(11, line.length() - 5);
      int begin = i + 1;
      String end = "-----END " + type + "-----";
      StringBuilder base64 = new StringBuilder();
      i++;
      while (i < lines.length && !lines[i].strip().startsWith("-----")) {
        String body = lines[i].strip();
        if (body.indexOf(':') >= 0) {
          throw new PemException(
              "pem: block "
                  + (blocks.size() + 1)
                  + " ("
                  + type
                  + ") has header line "
                  + CaException.quote(body)
                  + " (expected: unencrypted PEM without headers)");
        }
        base64.append(body);
        i++;
      }
      if (i >= lines.length) {
        throw new PemException(
            "pem: block "
                + (blocks.size() + 1)
                + " ("
                + type
                + ") starting at line "
                + begin
                + " has no END line (expected: \""
                + end
                + "\"; truncated input?)");
      }
      if (!lines[i].strip().equals(end)) {
        throw new PemException(
            "pem: line "
                + (i + 1)
                + " is "
                + CaException.quote(lines[i].strip())
                + " (expected: \""
                + end
                + "\")");
      }
      i++;
      byte[] der;
      try {
        der = Base64.getDecoder().decode(base64.toString());
      } catch (IllegalArgumentException e) {
        throw new PemException(
            "pem: block "
                + (blocks.size() + 1)
                + " ("
                + type
                + ") starting at line "
                + begin
                + " has invalid base64 (expected: standard base64): "
                + e.getMessage());
      }
      if (der.length == 0) {
        throw new PemException(
            "pem: block "
                + (blocks.size() + 1)
                + " ("
                + type
                + ") is empty (expected: DER content)");
      }
      blocks.add(new Block(type, der));
    }
    if (blocks.isEmpty()) {
      throw new PemException("pem: no PEM block found (expected: at least one)");
    }
    return blocks;
  }

  /**
   * Decodes exactly one block of {@code type}.
   *
   * @throws PemException when there is not exactly one block, or it has another type
   */
  public static byte[] decodeSingle(String text, String type) {
    List<Block> blocks = decode(text);
    if (blocks.size() != 1) {
      throw new PemException(
          "pem: " + blocks.size() + " blocks (expected: exactly one " + type + " block)");
    }
    Block block = blocks.get(0);
    checkType(1, block, type);
    return block.der();
  }

  /**
   * Decodes one or more certificates (e.g. a chain, leaf first, or a trust bundle).
   *
   * @throws PemException for a block of another type or a block that is not a certificate
   */
  public static List<X509Certificate> decodeCertificates(String text) {
    List<Block> blocks = decode(text);
    List<X509Certificate> certificates = new ArrayList<>(blocks.size());
    CertificateFactory factory = certificateFactory();
    for (int n = 0; n < blocks.size(); n++) {
      Block block = blocks.get(n);
      checkType(n + 1, block, CERTIFICATE);
      try {
        certificates.add(
            (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
      } catch (CertificateException | ClassCastException e) {
        throw new PemException(
            "pem: block "
                + (n + 1)
                + " (CERTIFICATE) is not an X.509 certificate: "
                + e.getMessage(),
            e);
      }
    }
    return List.copyOf(certificates);
  }

  /** Decodes exactly one certificate. */
  public static X509Certificate decodeCertificate(String text) {
    List<X509Certificate> certificates = decodeCertificates(text);
    if (certificates.size() != 1) {
      throw new PemException(
          "pem: " + certificates.size() + " certificates (expected: exactly one)");
    }
    return certificates.get(0);
  }

  /**
   * Decodes an unencrypted PKCS#8 private key ({@code PRIVATE KEY}). Legacy {@code EC PRIVATE KEY}
   * and {@code RSA PRIVATE KEY} blocks are refused with the command that converts them.
   */
  public static PrivateKey decodePrivateKey(String text) {
    List<Block> blocks = decode(text);
    if (blocks.size() != 1) {
      throw new PemException(
          "pem: " + blocks.size() + " blocks (expected: exactly one PRIVATE KEY block)");
    }
    Block block = blocks.get(0);
    if (block.type().equals("EC PRIVATE KEY") || block.type().equals("RSA PRIVATE KEY")) {
      throw new PemException(
          "pem: block 1 is "
              + block.type()
              + " (expected: PRIVATE KEY, PKCS#8; convert with `openssl pkcs8 -topk8 -nocrypt`)");
    }
    checkType(1, block, PRIVATE_KEY);
    try {
      return new JcaPEMKeyConverter().getPrivateKey(PrivateKeyInfo.getInstance(block.der()));
    } catch (PEMException | IllegalArgumentException e) {
      throw new PemException(
          "pem: block 1 (PRIVATE KEY) is not a PKCS#8 private key: " + e.getMessage(), e);
    } finally {
      Arrays.fill(block.der(), (byte) 0);
    }
  }

  /** Reads certificates from a PEM file. */
  public static List<X509Certificate> readCertificates(Path path) {
    return withPath(path, () -> decodeCertificates(readText(path)));
  }

  /** Reads a PKCS#8 private key from a PEM file. */
  public static PrivateKey readPrivateKey(Path path) {
    return withPath(path, () -> decodePrivateKey(readText(path)));
  }

  /** Writes certificates to a PEM file (mode 0644), atomically. */
  public static void writeCertificates(Path path, List<X509Certificate> certificates) {
    KeyFiles.writePublic(
        path, encodeCertificates(certificates).getBytes(StandardCharsets.US_ASCII));
  }

  /** Writes a private key to a PKCS#8 PEM file with mode 0600, atomically. */
  public static void writePrivateKey(Path path, PrivateKey key) {
    byte[] bytes = encodePrivateKey(key).getBytes(StandardCharsets.US_ASCII);
    try {
      KeyFiles.writeSecret(path, bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** Writes any PEM text (e.g. a CSR) to a file (mode 0644), atomically. */
  public static void writeText(Path path, String pem) {
    KeyFiles.writePublic(path, pem.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Reads a PEM file's text, refusing files larger than {@link #MAX_CHARS}.
   *
   * @throws PemException when the file cannot be read or is too large
   */
  public static String readText(Path path) {
    requireNonNull(path, "path");
    try {
      long size = Files.size(path);
      if (size > MAX_CHARS) {
        throw new PemException("pem: " + size + " bytes (expected: at most " + MAX_CHARS + ")");
      }
      return Files.readString(path, StandardCharsets.US_ASCII);
    } catch (CharacterCodingException e) {
      throw new PemException(
          "pem: not ASCII text (expected: PEM, not DER or another binary file)", e);
    } catch (IOException e) {
      throw new PemException("cannot read: " + e, e);
    }
  }

  private interface Read<T> {
    T run();
  }

  private static <T> T withPath(Path path, Read<T> read) {
    try {
      return read.run();
    } catch (PemException e) {
      throw new PemException(path + ": " + e.getMessage(), e);
    }
  }

  private static void checkType(int index, Block block, String type) {
    if (!block.type().equals(type)) {
      throw new PemException(
          "pem: block " + index + " is " + block.type() + " (expected: " + type + ")");
    }
  }

  private static CertificateFactory certificateFactory() {
    try {
      return CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("X.509 is required of every Java platform", e);
    }
  }
}
