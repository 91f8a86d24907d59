package io.raftmesh.agent.control;

import static java.util.Objects.requireNonNull;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;

/**
 * Delegates to a trust manager and remembers the last rejection, so that a failed call can say "the
 * server's certificate was not trusted: ..." instead of gRPC's generic UNAVAILABLE.
 */
public final class RecordingTrustManager extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager delegate;
  private volatile @Nullable String lastRejection;

  /** Wraps {@code delegate}. */
  public RecordingTrustManager(X509ExtendedTrustManager delegate) {
    this.delegate = requireNonNull(delegate, "delegate");
  }

  /** Why the last rejected peer was rejected, or null if none was. */
  public @Nullable String lastRejection() {
    return lastRejection;
  }

  /** Forgets the last rejection. */
  public void clear() {
    lastRejection = null;
  }

  private CertificateException record(CertificateException e) {
    String message = e.getMessage();
    lastRejection = message == null ? e.getClass().getSimpleName() : message;
    return e;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    try {
      delegate.checkClientTrusted(chain, authType, socket);
    } catch (CertificateException e) {
      throw record(e);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    try {
      delegate.checkServerTrusted(chain, authType, socket);
    } catch (CertificateException e) {
      throw record(e);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    try {
      delegate.checkClientTrusted(chain, authType, engine);
    } catch (CertificateException e) {
      throw record(e);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    try {
      delegate.checkServerTrusted(chain, authType, engine);
    } catch (CertificateException e) {
      throw record(e);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    try {
      delegate.checkClientTrusted(chain, authType);
    } catch (CertificateException e) {
      throw record(e);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    try {
      delegate.checkServerTrusted(chain, authType);
    } catch (CertificateException e) {
      throw record(e);
    }
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return delegate.getAcceptedIssuers();
  }
}
