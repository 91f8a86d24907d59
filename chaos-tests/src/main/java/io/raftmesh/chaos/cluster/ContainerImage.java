package io.raftmesh.chaos.cluster;

import com.github.dockerjava.api.exception.NotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The server image for a distribution: {@code ops/Dockerfile}'s {@code dist} target, which copies
 * the built distribution into a JRE base. The base is the local image {@link #LOCAL_BASE} when the
 * engine has it (made by {@code ops/docker/base-image.sh}, for machines without a registry), else
 * the Dockerfile's default (a registry JRE image). Built once per distribution and JVM.
 */
final class ContainerImage {
  private static final Logger log = LoggerFactory.getLogger(ContainerImage.class);

  /** The base image {@code ops/docker/base-image.sh} makes. */
  static final String LOCAL_BASE = "raftmesh/base:17";

  private static final Map<Path, String> BUILT = new ConcurrentHashMap<>();

  private ContainerImage() {}

  /** The image name for {@code dist}, building it the first time. */
  static String of(Distribution dist) {
    return BUILT.computeIfAbsent(dist.home().toAbsolutePath().normalize(), ContainerImage::build);
  }

  private static String build(Path home) {
    // <repo>/ops/target/raftmesh-<v>/raftmesh-<v> -> <repo>/ops/Dockerfile
    Path dockerfile = home.resolve("../../../Dockerfile").normalize();
    if (!Files.isRegularFile(dockerfile)) {
      throw new IllegalStateException(
          "containers backend: " + dockerfile + " is missing (expected next to ops/target)");
    }
    ImageFromDockerfile image =
        new ImageFromDockerfile("raftmesh-chaos", false)
            .withFileFromPath("Dockerfile", dockerfile)
            .withFileFromPath("dist", home)
            .withTarget("dist")
            .withBuildArg("DIST", "dist");
    boolean local = hasImage(LOCAL_BASE);
    if (local) {
      image = image.withBuildArg("BASE", LOCAL_BASE);
    }
    long t0 = System.nanoTime();
    String name = image.get();
    log.info(
        "containers: image={} from {} target=dist base={} took_ms={}",
        name,
        dockerfile,
        local ? LOCAL_BASE : "the Dockerfile's default",
        (System.nanoTime() - t0) / 1_000_000);
    return name;
  }

  private static boolean hasImage(String name) {
    try {
      DockerClientFactory.instance().client().inspectImageCmd(name).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }
}
