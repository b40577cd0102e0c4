package io.twingress.ingest;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.twingress.store.SqliteTwinStore;
import io.twingress.store.StoreTx;
import io.twingress.store.TwinStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DedupPrunerTest {

    private static final Duration RETENTION = Duration.ofHours(1);

    @TempDir
    Path dir;

    @Test
    void aResentIdIsSuppressedWithinTheRetentionAndAcceptedAfterIt() {
        try (SqliteTwinStore store = new SqliteTwinStore(dir.resolve("seen.db"), "NORMAL")) {
            // the store stamps an id with its own wall clock, so the window is placed around that stamp
            Instant beforeMark = Instant.now();
            assertThat(markSeen(store, "m-1")).isTrue();
            Instant afterMark = Instant.now();
            MutableClock clock = new MutableClock(afterMark);
            DedupPruner pruner = new DedupPruner(store, RETENTION, clock);

            clock.set(beforeMark.plus(RETENTION).minusSeconds(60));
            assertThat(pruner.prune()).isZero();
            assertThat(markSeen(store, "m-1")).as("a resend within the retention is a duplicate").isFalse();

            clock.set(afterMark.plus(RETENTION).plusSeconds(60));
            assertThat(pruner.prune()).isEqualTo(1);
            assertThat(markSeen(store, "m-1")).as("a resend after the retention is new").isTrue();
            assertThat(markSeen(store, "m-1")).as("and is remembered again").isFalse();
        }
    }

    @Test
    void forgetsIdsOlderThanTheRetentionInBatchesOfFiveThousand() {
        try (SqliteTwinStore sqlite = new SqliteTwinStore(dir.resolve("seen.db"), "NORMAL")) {
            UnitRecorder store = new UnitRecorder(sqlite);
            store.write(tx -> {
                for (int i = 0; i < 10_003; i++) {
                    tx.markSeen("telemetry:t1", "m-" + i);
                }
                return null;
            });
            store.units.clear();

            Clock tomorrow = Clock.fixed(Instant.now().plus(Duration.ofDays(1)), ZoneOffset.UTC);
            assertThat(new DedupPruner(store, RETENTION, tomorrow).prune()).isEqualTo(10_003);

            // other writers get the store between units: no unit deletes more than a batch
            assertThat(store.units).containsExactly(5_000, 5_000, 3);
            assertThat(markSeen(sqlite, "m-0")).isTrue();
            assertThat(markSeen(sqlite, "m-10002")).isTrue();
        }
    }

    @Test
    void refusesANonPositiveRetention() {
        try (SqliteTwinStore store = new SqliteTwinStore(dir.resolve("seen.db"), "NORMAL")) {
            assertThatThrownBy(() -> new DedupPruner(store, Duration.ZERO, Clock.systemUTC()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retention");
        }
    }

    private static boolean markSeen(TwinStore store, String messageId) {
        return store.<Boolean>write(tx -> tx.markSeen("telemetry:t1", messageId));
    }

    /** A clock the test moves by hand, so that the retention window passes without waiting. */
    private static final class MutableClock extends Clock {

        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the pruner needs only instants");
        }
    }

    /** Passes every unit on to the store and records what each write unit returned (the pruner's: ids deleted). */
    private static final class UnitRecorder implements TwinStore {

        private final TwinStore store;
        final List<Object> units = new CopyOnWriteArrayList<>();

        UnitRecorder(TwinStore store) {
            this.store = store;
        }

        @Override
        public <T> T read(Function<StoreTx, T> work) {
            return store.read(work);
        }

        @Override
        public <T> T write(Function<StoreTx, T> work) {
            T result = store.write(work);
            units.add(result);
            return result;
        }

        @Override
        public boolean inUnit() {
            return store.inUnit();
        }

        @Override
        public <T> List<Outcome<T>> writeEach(List<? extends Function<StoreTx, T>> work) {
            List<Outcome<T>> outcomes = store.writeEach(work);
            outcomes.forEach(o -> units.add(o.value()));
            return outcomes;
        }

        @Override
        public String kind() {
            return store.kind();
        }

        @Override
        public void close() {
            store.close();
        }
    }
}
