package io.raftmesh.server.store;

import com.google.protobuf.ByteString;

/**
 * The control server's own records in the store. Resource keys all start with {@code /} (see {@code
 * ResourceKeys}); these reserved keys start with {@code _} instead, which sorts after every
 * resource key, so a scan of the resources (a reset snapshot, a backup of the configuration) stops
 * at the first key that is not one and never walks the certificate ledger.
 *
 * <pre>
 *   _ca/issuer               IssuerRecord (key sealed under the KEK)
 *   _tokens/&lt;id&gt;            JoinTokenRecord (hash of the secret, max uses, revoked)
 *   _tokenuses/&lt;id&gt;/&lt;slot&gt;   one consumed use: the node that enrolled with it
 *   _certs/&lt;serial&gt;         CertificateRecord, written before a certificate is returned
 *   _certreq/&lt;request id&gt;   Stamped(serial): the certificate issued for that request id
 *   _requests/&lt;request id&gt;  Stamped(response): the first answer to an idempotent write
 *   _servers/&lt;id&gt;           a control server's gRPC address (for status and leader hints)
 *   _config/marker           rewritten with every change agents see: its mod_revision is the
 *                            newest revision that changed agent-visible configuration
 * </pre>
 */
public final class ServerKeys {
  /** The issuing CA. */
  public static final ByteString ISSUER = key("_ca/issuer");

  /** The config marker (see the class comment). */
  public static final ByteString CONFIG_MARKER = key("_config/marker");

  /** Prefix of join tokens. */
  public static final String TOKENS = "_tokens/";

  /** Prefix of join token uses: {@code _tokenuses/<token id>/<slot>} = the node that used it. */
  public static final String TOKEN_USES = "_tokenuses/";

  /** Prefix of certificate records. */
  public static final String CERTS = "_certs/";

  /** Prefix of certificate request ids. */
  public static final String CERT_REQUESTS = "_certreq/";

  /** Prefix of remembered answers to idempotent writes. */
  public static final String REQUESTS = "_requests/";

  /** Prefix of control server addresses. */
  public static final String SERVERS = "_servers/";

  private ServerKeys() {}

  /** A key from text. */
  public static ByteString key(String text) {
    return ByteString.copyFromUtf8(text);
  }

  /** {@code prefix + id} as a key. */
  public static ByteString key(String prefix, String id) {
    return ByteString.copyFromUtf8(prefix + id);
  }

  /** The exclusive end of the range of keys starting with {@code prefix}. */
  public static ByteString prefixEnd(ByteString prefix) {
    byte[] end = prefix.toByteArray();
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xff) {
        end[i]++;
        return ByteString.copyFrom(end, 0, i + 1);
      }
    }
    return ByteString.copyFrom(new byte[] {0});
  }

  /** The part of {@code key} after {@code prefix}. */
  public static String suffix(ByteString key, String prefix) {
    return key.toStringUtf8().substring(prefix.length());
  }
}
