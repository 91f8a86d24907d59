package io.raftmesh.ca;

/**
 * Base of every error the certificate-authority module raises. Unchecked: callers that must branch
 * (a bad CSR becomes {@code INVALID_ARGUMENT}, an expired issuer {@code FAILED_PRECONDITION}) catch
 * the subclass that names the case. Messages follow {@code <name>: <value> (expected:
 * <constraint>)} and never contain key material or token secrets.
 */
public class CaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An error with a message that names what was wrong. */
  public CaException(String message) {
    super(message);
  }

  /** An error with a message that names what was wrong, and its cause. */
  public CaException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Quotes untrusted text for an error message: at most 100 characters, control and non-ASCII
   * characters escaped, so a hostile certificate or request cannot forge log lines.
   */
  public static String quote(String text) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), 100) + 16).append('"');
    int shown = Math.min(text.length(), 100);
    for (int i = 0; i < shown; i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('"');
    if (text.length() > shown) {
      out.append("... (").append(text.length()).append(" chars)");
    }
    return out.toString();
  }
}
