package io.raftmesh.agent.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.proto.v1.Resource;
import io.raftmesh.proto.v1.ResourceType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCacheTest {
  @TempDir Path dir;

  private static Resource service(String name) {
    return Resource.newBuilder()
        .setType(ResourceType.SERVICE)
        .setNamespace("shop")
        .setName(name)
        .build();
  }

  @Test
  void storedConfigLoadsBackWithItsRevision() throws Exception {
    ConfigCache cache = ConfigCache.in(dir);
    assertThat(cache.load()).isEmpty();
    cache.store(7, List.of(service("a"), service("b")));
    cache.store(9, List.of(service("c")));
    ConfigCache.Cached loaded = ConfigCache.in(dir).load().orElseThrow();
    assertThat(loaded.revision()).isEqualTo(9);
    assertThat(loaded.resources()).containsExactly(service("c"));
    try (var files = Files.list(dir.resolve("config"))) {
      assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("applied.bin");
    }
  }

  @Test
  void damagedFileIsIgnoredNotTrusted() throws Exception {
    ConfigCache cache = ConfigCache.in(dir);
    cache.store(7, List.of(service("a")));
    byte[] bytes = Files.readAllBytes(cache.file());
    bytes[bytes.length - 1] ^= 0x5a;
    Files.write(cache.file(), bytes);
    assertThat(cache.load()).isEmpty();
    Files.write(cache.file(), new byte[] {'R', 'M'});
    assertThat(cache.load()).isEmpty();
  }
}
