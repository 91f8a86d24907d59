package io.raftmesh.ca.issue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Builds CSRs the production code would never make: hostile and malformed ones. */
final class TestCsrs {
  private TestCsrs() {}

  static KeyPair keys(String algorithm, int bits) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
    generator.initialize(bits);
    return generator.generateKeyPair();
  }

  static KeyPair ecKeys(String curve) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec(curve));
    return generator.generateKeyPair();
  }

  /** A CSR signed with {@code signatureAlgorithm}, optionally requesting one extension. */
  static byte[] csr(KeyPair keys, String signatureAlgorithm, Extension... requested)
      throws Exception {
    JcaPKCS10CertificationRequestBuilder builder =
        new JcaPKCS10CertificationRequestBuilder(
            new X500Name("CN=evil,O=attacker"), keys.getPublic());
    if (requested.length > 0) {
      ExtensionsGenerator extensions = new ExtensionsGenerator();
      for (Extension extension : requested) {
        extensions.addExtension(extension);
      }
      builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
    }
    return builder
        .build(new JcaContentSignerBuilder(signatureAlgorithm).build(keys.getPrivate()))
        .getEncoded();
  }

  static Extension extension(
      org.bouncycastle.asn1.ASN1ObjectIdentifier oid, boolean critical, ASN1Encodable value)
      throws Exception {
    return new Extension(oid, critical, value.toASN1Primitive().getEncoded());
  }
}
