package io.raftmesh.server.auth;

import io.raftmesh.server.metrics.ServerMetrics;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps the trust manager of the gRPC listener so that client certificates refused during the TLS
 * handshake (untrusted root, expired, not a mesh identity) are counted ({@code
 * authorization_failures_total{reason="bad_certificate"}}) and logged, like refusals of calls.
 */
public final class CountingTrustManager extends X509ExtendedTrustManager {
  private static final Logger LOG = LoggerFactory.getLogger(CountingTrustManager.class);

  private final X509ExtendedTrustManager delegate;
  private final ServerMetrics metrics;
  private final ThrottledLog log = new ThrottledLog(LOG, TimeUnit.SECONDS.toNanos(10));

  /** Counts the failures of {@code delegate}. */
  public CountingTrustManager(X509ExtendedTrustManager delegate, ServerMetrics metrics) {
    this.delegate = delegate;
    this.metrics = metrics;
  }

  private void refused(CertificateException e, X509Certificate[] chain) {
    metrics.authorizationFailures.labelValues("bad_certificate").inc();
    log.warn(
        "bad_certificate",
        "refused TLS client reason=bad_certificate subject={} error={}",
        chain.length > 0 ? chain[0].getSubjectX500Principal().getName() : "none",
        e.getMessage());
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    try {
      delegate.checkClientTrusted(chain, authType);
    } catch (CertificateException e) {
      refused(e, chain);
      throw e;
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    try {
      delegate.checkClientTrusted(chain, authType, engine);
    } catch (CertificateException e) {
      refused(e, chain);
      throw e;
    }
  }

  // JSSE's interface names Socket; nothing here opens one.
  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    try {
      delegate.checkClientTrusted(chain, authType, socket);
    } catch (CertificateException e) {
      refused(e, chain);
      throw e;
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    delegate.checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    delegate.checkServerTrusted(chain, authType, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    delegate.checkServerTrusted(chain, authType, socket);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return delegate.getAcceptedIssuers();
  }
}
