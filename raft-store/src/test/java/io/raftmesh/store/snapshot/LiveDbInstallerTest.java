package io.raftmesh.store.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmesh.store.rocks.RocksStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveDbInstallerTest {
  @TempDir Path dir;

  @Test
  void installReplacesLiveDbWithCheckpointAndLeavesCheckpointUntouched() throws Exception {
    Path source = dir.resolve("source");
    Path checkpoint = dir.resolve("checkpoint");
    try (RocksStore store = RocksStore.open(source)) {
      store.restore(
          java.util.List.of(
                  io.raftmesh.proto.v1.KeyValue.newBuilder()
                      .setKey(com.google.protobuf.ByteString.copyFromUtf8("/k"))
                      .setValue(com.google.protobuf.ByteString.copyFromUtf8("v"))
                      .setCreateRevision(3)
                      .setModRevision(3)
                      .setVersion(1)
                      .build())
              .iterator(),
          3);
      store.checkpoint(checkpoint);
    }
    Path live = dir.resolve("live");
    RocksStore.open(live).close(); // an older, empty live DB
    long filesBefore;
    try (var files = Files.list(checkpoint)) {
      filesBefore = files.count();
    }

    LiveDbInstaller.install(checkpoint, live);

    try (RocksStore store = RocksStore.open(live);
        var view = store.openView()) {
      assertThat(store.state().revision()).isEqualTo(3);
      assertThat(view.get(com.google.protobuf.ByteString.copyFromUtf8("/k"))).isPresent();
    }
    try (var files = Files.list(checkpoint)) {
      assertThat(files.count()).isEqualTo(filesBefore);
    }
    assertThat(dir.resolve("live.new")).doesNotExist();
    assertThat(dir.resolve("live.old")).doesNotExist();
  }
}
