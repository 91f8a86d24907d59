package io.raftmesh.agent.proxy.tls;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.raftmesh.agent.proxy.config.ServiceName;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The proxy's TLS material: one swappable key manager per local service identity and one swappable
 * trust manager for the mesh's trust bundle, and the Netty SSL contexts built over them. Contexts
 * are built once per (service, role, protocol) and stay valid across certificate and bundle
 * rotation, because they consult the swappable managers on every handshake.
 *
 * <p>OpenSSL (BoringSSL through netty-tcnative) is used when it loads, the JDK provider otherwise.
 * Client contexts do not verify host names: servers are authenticated by their SPIFFE ID, which
 * callers check after the handshake.
 */
public final class ProxyTls {
  /** ALPN protocols of HTTP listeners and HTTP connections between proxies. */
  private static final ApplicationProtocolConfig ALPN_SERVER =
      new ApplicationProtocolConfig(
          ApplicationProtocolConfig.Protocol.ALPN,
          ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
          ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
          ApplicationProtocolNames.HTTP_2,
          ApplicationProtocolNames.HTTP_1_1);

  private static final ApplicationProtocolConfig ALPN_CLIENT_H2 =
      new ApplicationProtocolConfig(
          ApplicationProtocolConfig.Protocol.ALPN,
          ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
          ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
          ApplicationProtocolNames.HTTP_2);

  private final SwappableTrustManager trust;
  private final ConcurrentMap<ServiceName, SwappableKeyManager> keys = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, SslContext> contexts = new ConcurrentHashMap<>();
  private final SslProvider provider;

  private ProxyTls(X509ExtendedTrustManager trust, SslProvider provider) {
    this.trust = new SwappableTrustManager(trust);
    this.provider = provider;
  }

  /** TLS over {@code trust}, with OpenSSL when {@code preferOpenSsl} and it is available. */
  public static ProxyTls create(X509ExtendedTrustManager trust, boolean preferOpenSsl) {
    requireNonNull(trust, "trust");
    boolean openSsl = preferOpenSsl && OpenSsl.isAvailable() && OpenSsl.supportsKeyManagerFactory();
    return new ProxyTls(trust, openSsl ? SslProvider.OPENSSL : SslProvider.JDK);
  }

  /** "OPENSSL" or "JDK". */
  public String providerName() {
    return provider.name();
  }

  /**
   * Sets the key manager (certificate and key) of local service {@code service}. The first call for
   * a service installs it; later calls swap it in for new handshakes without touching open
   * connections.
   */
  public void putIdentity(ServiceName service, X509ExtendedKeyManager keyManager) {
    requireNonNull(keyManager, "keyManager");
    keys.compute(
        service,
        (k, existing) -> {
          if (existing == null) {
            return new SwappableKeyManager(keyManager);
          }
          existing.swap(keyManager);
          return existing;
        });
  }

  /** Whether {@code service} has a key manager. */
  public boolean hasIdentity(ServiceName service) {
    return keys.containsKey(service);
  }

  /** Replaces the trust bundle for new handshakes. */
  public void updateTrust(X509ExtendedTrustManager next) {
    trust.swap(next);
  }

  /**
   * The server context of local service {@code service}: client certificates required (or, when
   * {@code optionalClientAuth}, requested), ALPN h2 and http/1.1 when {@code http}.
   */
  public SslContext serverContext(ServiceName service, boolean http, boolean optionalClientAuth)
      throws SSLException {
    String key = "server|" + service + "|" + http + "|" + optionalClientAuth;
    SslContext ctx = contexts.get(key);
    if (ctx != null) {
      return ctx;
    }
    SslContextBuilder b =
        SslContextBuilder.forServer(keyManager(service))
            .sslProvider(provider)
            .trustManager(trust)
            .clientAuth(optionalClientAuth ? ClientAuth.OPTIONAL : ClientAuth.REQUIRE)
            .protocols("TLSv1.3", "TLSv1.2");
    if (http) {
      b.ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
          .applicationProtocolConfig(ALPN_SERVER);
    }
    ctx = b.build();
    SslContext prev = contexts.putIfAbsent(key, ctx);
    return prev != null ? prev : ctx;
  }

  /** The client context presenting {@code service}'s identity; ALPN h2 when {@code h2}. */
  public SslContext clientContext(ServiceName service, boolean h2) throws SSLException {
    String key = "client|" + service + "|" + h2;
    SslContext ctx = contexts.get(key);
    if (ctx != null) {
      return ctx;
    }
    SslContextBuilder b =
        SslContextBuilder.forClient()
            .sslProvider(provider)
            .keyManager(keyManager(service))
            .trustManager(trust)
            .endpointIdentificationAlgorithm(null)
            .protocols("TLSv1.3", "TLSv1.2");
    if (h2) {
      b.ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
          .applicationProtocolConfig(ALPN_CLIENT_H2);
    }
    ctx = b.build();
    SslContext prev = contexts.putIfAbsent(key, ctx);
    return prev != null ? prev : ctx;
  }

  private SwappableKeyManager keyManager(ServiceName service) throws SSLException {
    SwappableKeyManager km = keys.get(service);
    if (km == null) {
      throw new SSLException(
          "identity: " + service + " (expected: a key manager given with putIdentity)");
    }
    return km;
  }
}
