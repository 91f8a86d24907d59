package io.raftmesh.chaos.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

/** How to start another JVM like this one: the same java binary and class path. */
public final class JvmCommand {
  private JvmCommand() {}

  /** The java binary running this JVM. */
  public static String javaBinary() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElseThrow(
            () -> new IllegalStateException("cannot tell which java binary runs this JVM"));
  }

  /**
   * This JVM's class path. Surefire and Failsafe may start tests from a manifest-only jar whose
   * Class-Path attribute holds the real entries; those are expanded.
   */
  public static String classpath() {
    String cp = ManagementFactory.getRuntimeMXBean().getClassPath();
    String[] entries = cp.split(File.pathSeparator);
    if (entries.length != 1 || !entries[0].endsWith(".jar")) {
      return cp;
    }
    try (JarFile jar = new JarFile(entries[0])) {
      var manifest = jar.getManifest();
      String classPath =
          manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
      if (classPath == null || classPath.isBlank()) {
        return cp;
      }
      List<String> out = new ArrayList<>();
      for (String url : classPath.split(" ")) {
        if (!url.isBlank()) {
          out.add(Path.of(URI.create(url)).toString());
        }
      }
      return String.join(File.pathSeparator, out);
    } catch (IOException e) {
      throw new UncheckedIOException("reading the manifest of " + entries[0], e);
    }
  }

  /** {@code [java, -cp, <class path>]}. */
  public static List<String> withThisClasspath() {
    return List.of(javaBinary(), "-cp", classpath());
  }
}
