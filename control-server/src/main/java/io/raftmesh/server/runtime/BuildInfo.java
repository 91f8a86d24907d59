package io.raftmesh.server.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The running build's version and source revision, from {@code build.properties} in the jar. */
final class BuildInfo {
  private static final Properties PROPS = load();

  private BuildInfo() {}

  static String version() {
    return value("version", "dev");
  }

  static String revision() {
    return value("revision", "unknown");
  }

  private static String value(String key, String fallback) {
    String v = PROPS.getProperty(key, "");
    return v.isEmpty() || v.startsWith("${") ? fallback : v;
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // No build information: "dev"/"unknown".
    }
    return p;
  }
}
