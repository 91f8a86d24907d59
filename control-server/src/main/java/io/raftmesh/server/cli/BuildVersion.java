package io.raftmesh.server.cli;

import picocli.CommandLine;

/** The version printed by {@code --version}: the jar's Implementation-Version, or "dev". */
final class BuildVersion implements CommandLine.IVersionProvider {

  /** The running build's version. */
  static String version() {
    String v = BuildVersion.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  @Override
  public String[] getVersion() {
    return new String[] {"raftmesh " + version()};
  }
}
