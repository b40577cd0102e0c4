package io.twingress.ingest;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.twingress.store.SqliteTwinStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DedupPrunerTest {

    @TempDir
    Path dir;

    @Test
    void forgetsIdsOlderThanTheRetentionAcrossSeveralBatches() {
        try (SqliteTwinStore store = new SqliteTwinStore(dir.resolve("seen.db"), "NORMAL")) {
            int count = DedupPruner.BATCH * 2 + 3;
            store.write(tx -> {
                for (int i = 0; i < count; i++) {
                    tx.markSeen("telemetry:t1", "m-" + i);
                }
                return null;
            });
            Clock now = Clock.systemUTC();
            assertThat(new DedupPruner(store, Duration.ofHours(1), now).prune()).isZero();
            assertThat(store.<Boolean>write(tx -> tx.markSeen("telemetry:t1", "m-0"))).isFalse();

            Clock tomorrow = Clock.fixed(Instant.now().plus(Duration.ofDays(1)), ZoneOffset.UTC);
            assertThat(new DedupPruner(store, Duration.ofHours(1), tomorrow).prune()).isEqualTo(count);
            assertThat(store.<Boolean>write(tx -> tx.markSeen("telemetry:t1", "m-0"))).isTrue();
        }
    }

    @Test
    void refusesANonPositiveRetention() {
        try (SqliteTwinStore store = new SqliteTwinStore(dir.resolve("seen.db"), "NORMAL")) {
            assertThatThrownBy(() -> new DedupPruner(store, Duration.ZERO, Clock.systemUTC()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retention");
        }
    }
}
