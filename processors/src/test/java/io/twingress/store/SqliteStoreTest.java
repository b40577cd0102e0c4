package io.twingress.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest extends StoreContract {

    @TempDir
    Path dir;

    private int stores;

    @Override
    protected TwinStore openStore() {
        // FULL is the durable setting users are promised; the contract should hold under it
        return new SqliteTwinStore(dir.resolve("twins-" + (++stores) + ".db"), "FULL");
    }

    /**
     * One unit is held open while seven more arrive: they queue, and the writer thread applies all seven in one
     * transaction, so two commits carry eight units. The refused one gets its own error and leaves nothing behind.
     */
    @Test
    @Timeout(60)
    void unitsThatArriveTogetherCommitTogether() throws Exception {
        SqliteTwinStore sqlite = (SqliteTwinStore) store;
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            long commitsBefore = sqlite.commits();
            Future<?> first = holdTheWriter(clients, release, tx -> tx.insertTwin(twin("held")));
            List<Future<?>> queued = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                String id = "queued-" + i;
                queued.add(clients.submit(() -> sqlite.write(tx -> {
                    tx.insertTwin(twin(id));
                    if (id.equals("queued-3")) {
                        throw new IllegalStateException("queued-3 refused");
                    }
                    return null;
                })));
            }
            while (sqlite.queued() < 7) {
                Thread.onSpinWait();
            }

            release.countDown();
            first.get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 7; i++) {
                if (i == 3) {
                    int refused = i;
                    assertThatThrownBy(() -> queued.get(refused).get(10, TimeUnit.SECONDS))
                            .hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("queued-3 refused");
                } else {
                    queued.get(i).get(10, TimeUnit.SECONDS);
                }
            }

            assertThat(sqlite.commits() - commitsBefore).as("the held unit's commit, then one for the seven")
                    .isEqualTo(2);
            assertThat(store.<List<String>>read(tx -> tx.twins(null, null, 20).stream().map(StoredTwin::id).toList()))
                    .containsExactly("held", "queued-0", "queued-1", "queued-2", "queued-4", "queued-5", "queued-6");
        } finally {
            release.countDown();
            clients.shutdownNow();
        }
    }

    /**
     * A caller's batch commits whole: two batches queued behind a held unit, of 2,000 and 100 units, do not fit in one
     * group, and the second is not cut to fill up the first's; each commits once, all its units together.
     */
    @Test
    @Timeout(60)
    void aBatchIsNeverSplitAcrossCommits() throws Exception {
        SqliteTwinStore sqlite = (SqliteTwinStore) store;
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService clients = Executors.newFixedThreadPool(3);
        try {
            Future<?> first = holdTheWriter(clients, release, tx -> { });
            // each unit notes the commits done when it ran: the units of one commit all see the same count
            Future<List<TwinStore.Outcome<Long>>> large = clients.submit(() -> sqlite.writeEach(
                    java.util.Collections.nCopies(2000, tx -> sqlite.commits())));
            while (sqlite.queued() < 2000) {
                Thread.onSpinWait();
            }
            Future<List<TwinStore.Outcome<Long>>> small = clients.submit(() -> sqlite.writeEach(
                    java.util.Collections.nCopies(100, tx -> sqlite.commits())));
            while (sqlite.queued() < 2100) {
                Thread.onSpinWait();
            }
            release.countDown();
            first.get(10, TimeUnit.SECONDS);

            List<Long> largeSaw = large.get(10, TimeUnit.SECONDS).stream().map(TwinStore.Outcome::orThrow).toList();
            List<Long> smallSaw = small.get(10, TimeUnit.SECONDS).stream().map(TwinStore.Outcome::orThrow).toList();
            assertThat(new java.util.HashSet<>(largeSaw)).as("the 2,000 units' commits").hasSize(1);
            assertThat(new java.util.HashSet<>(smallSaw)).as("the 100 units' commits").hasSize(1);
            assertThat(smallSaw.get(0)).isEqualTo(largeSaw.get(0) + 1);
        } finally {
            release.countDown();
            clients.shutdownNow();
        }
    }

    /**
     * Starts a write unit that does {@code work}, then waits for {@code release}: the writer thread is busy with it,
     * and what is written meanwhile queues. Returns once the unit is running.
     */
    private Future<?> holdTheWriter(ExecutorService clients, CountDownLatch release,
            java.util.function.Consumer<StoreTx> work) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        Future<?> held = clients.submit(() -> store.write(tx -> {
            work.accept(tx);
            holding.countDown();
            await(release);
            return null;
        }));
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        return held;
    }

    private static StoredTwin twin(String id) {
        return new StoredTwin(id, "dtmi:test:A;1", "W/\"1\"", "{\"$dtId\":\"" + id + "\"}");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    @Timeout(60)
    void aUnitThatThrowsAnErrorFailsAloneAndTheWriterGoesOn() {
        assertThatThrownBy(() -> store.write(tx -> {
            tx.insertTwin(twin("doomed"));
            throw new AssertionError("a unit's own error");
        })).isInstanceOf(AssertionError.class).hasMessage("a unit's own error");
        store.write(tx -> {
            tx.insertTwin(twin("after"));
            return null;
        });
        assertThat(store.<List<String>>read(tx -> tx.twins(null, null, 20).stream().map(StoredTwin::id).toList()))
                .containsExactly("after");
    }

    @Test
    @Timeout(60)
    void aWriteAfterCloseIsRefusedRatherThanLeftWaiting(@TempDir Path dir) {
        SqliteTwinStore closed = new SqliteTwinStore(dir.resolve("closed.db"), "FULL");
        closed.write(tx -> {
            tx.insertTwin(twin("before"));
            return null;
        });
        closed.close();
        assertThatThrownBy(() -> closed.write(tx -> null)).isInstanceOf(StoreException.class)
                .hasMessageContaining("closed");
    }

    /**
     * History rows an earlier release kept in the store's own file move to the history file on the first open with
     * one, keeping their ids; later opens move nothing again, and new rows number on after the moved ones.
     */
    @Test
    void historyRowsMoveToTheirOwnFileOnce() {
        Path twins = dir.resolve("upgraded.db");
        Path history = dir.resolve("upgraded-history.db");
        try (SqliteTwinStore earlier = new SqliteTwinStore(twins, "FULL")) {
            assertThat(earlier.historyStore()).isSameAs(earlier);
            earlier.write(tx -> {
                tx.insertValueRows(HistoryRows.ValueTable.PROPERTY, List.of(row(1), row(2), row(3)));
                return null;
            });
        }
        for (int open = 1; open <= 2; open++) {
            try (SqliteTwinStore apart = new SqliteTwinStore(twins, history, "FULL")) {
                assertThat(apart.historyStore()).isNotSameAs(apart);
                assertThat(values(apart)).as("open %d: none left in the twins' file", open).isEmpty();
                assertThat(values(apart.historyStore())).as("open %d", open).containsExactly("1", "2", "3");
                assertThat(apart.historyStore().<List<HistoryRows.Value>>read(tx -> tx.twinValues(
                        HistoryRows.ValueTable.PROPERTY, "default", "t1", null, "2026-01-01T00:00:00Z",
                        "2026-01-02T00:00:00Z", 10))).as("open %d: read by twin", open).hasSize(3);
            }
        }
        try (SqliteTwinStore apart = new SqliteTwinStore(twins, history, "FULL")) {
            apart.historyStore().write(tx -> {
                tx.insertValueRows(HistoryRows.ValueTable.PROPERTY, List.of(row(4)));
                return null;
            });
            List<HistoryRows.PropertyEvent> rows = propertyRows(apart.historyStore());
            assertThat(rows.get(3).id()).isGreaterThan(rows.get(2).id());
        }
        try (SqliteTwinStore same = new SqliteTwinStore(twins, twins, "FULL")) {
            assertThat(same.historyStore()).as("the store's own file named as the history's").isSameAs(same);
        }
    }

    /** A move that crashed after its copy committed is finished without copying twice. */
    @Test
    void aMoveCutShortAfterItsCopyIsFinishedOnce() throws Exception {
        Path twins = dir.resolve("crashed.db");
        Path history = dir.resolve("crashed-history.db");
        try (SqliteTwinStore earlier = new SqliteTwinStore(twins, "FULL")) {
            earlier.write(tx -> {
                tx.insertValueRows(HistoryRows.ValueTable.PROPERTY, List.of(row(1), row(2)));
                return null;
            });
        }
        new SqliteTwinStore(twins, history, "FULL").close();
        // as if the crash came between the copy's commit and the delete's: the rows are in both files
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + twins);
                java.sql.Statement sql = c.createStatement()) {
            sql.execute("ATTACH DATABASE '" + history + "' AS moved");
            sql.executeUpdate("INSERT INTO main.history_property_events SELECT * FROM moved.history_property_events");
        }
        try (SqliteTwinStore apart = new SqliteTwinStore(twins, history, "FULL")) {
            assertThat(values(apart)).isEmpty();
            assertThat(values(apart.historyStore())).containsExactly("1", "2");
        }
    }

    /** History turned back into the store's file and out again: the rows kept there meanwhile are not deleted. */
    @Test
    void rowsTheHistoryFileDoesNotHaveAreLeftWhereTheyAre() {
        Path twins = dir.resolve("toggled.db");
        Path history = dir.resolve("toggled-history.db");
        try (SqliteTwinStore apart = new SqliteTwinStore(twins, history, "FULL")) {
            apart.historyStore().write(tx -> {
                tx.insertValueRows(HistoryRows.ValueTable.PROPERTY, List.of(row(1)));
                return null;
            });
        }
        try (SqliteTwinStore together = new SqliteTwinStore(twins, "FULL")) {
            together.write(tx -> {
                tx.insertValueRows(HistoryRows.ValueTable.PROPERTY, List.of(row(2)));
                return null;
            });
        }
        try (SqliteTwinStore apart = new SqliteTwinStore(twins, history, "FULL")) {
            assertThat(values(apart)).containsExactly("2");
            assertThat(values(apart.historyStore())).containsExactly("1");
        }
    }

    private static HistoryRows.PropertyEvent row(int value) {
        return row("t1", value);
    }

    /** A row of {@code twin} whose value {@code v} is also its second of 2026-01-01T00:00. */
    private static HistoryRows.PropertyEvent row(String twin, int v) {
        return new HistoryRows.PropertyEvent(0, "default", "2026-01-01T00:00:0" + v + "Z", null, "localhost",
                twin, "dtmi:test:T;1", "Temperature", Integer.toString(v), null, null, null);
    }

    /**
     * A twin's history is read from both per-twin tables, the large one and the recent entries not yet moved to it,
     * in time order or id order as asked; pruning leaves no entry whose row is gone.
     */
    @Test
    void perTwinHistorySpansBothPerTwinTablesAndPruningClearsBoth() throws Exception {
        HistoryRows.ValueTable table = HistoryRows.ValueTable.PROPERTY;
        store.write(tx -> {
            tx.insertValueRows(table, List.of(row("t1", 1), row("t2", 2), row("t1", 3)));
            ((JdbcStoreTx) tx).moveRecentByTwin(table, Integer.MAX_VALUE);
            // recent: one of them earlier than the moved ones
            tx.insertValueRows(table, List.of(row("t1", 4), row("t2", 5), row("t1", 0), row("t1", 6)));
            return null;
        });
        String from = "2026-01-01T00:00:00Z";
        String to = "2026-01-02T00:00:00Z";
        assertThat(twinValues("t1", null, 100)).containsExactly("0", "1", "3", "4", "6");
        assertThat(twinValues("t1", null, 2)).containsExactly("0", "1");
        assertThat(twinValues("t1", List.of("Other"), 100)).isEmpty();
        assertThat(store.<List<HistoryRows.Value>>read(tx -> tx.twinValues(table, "default", "t1", null,
                "2026-01-01T00:00:03Z", "2026-01-01T00:00:05Z", 100))).extracting(HistoryRows.Value::value)
                .containsExactly("3", "4");
        List<HistoryRows.PropertyEvent> t1 = store.read(tx -> tx.propertyEvents(table, "default", List.of("t1"),
                null, from, to, 0, 100));
        assertThat(t1).extracting(HistoryRows.PropertyEvent::value).as("in id order").containsExactly("1", "3", "4",
                "0", "6");
        assertThat(store.<List<HistoryRows.PropertyEvent>>read(tx -> tx.propertyEvents(table, "default",
                List.of("t1", "t2"), List.of("Temperature"), from, to, t1.get(1).id(), 100)))
                .extracting(HistoryRows.PropertyEvent::value).containsExactly("4", "5", "0", "6");

        assertThat(store.<Integer>write(tx -> tx.pruneHistory(table.sqlName(), "default", "2026-01-01T00:00:04Z",
                100))).as("the rows before 00:04").isEqualTo(4);
        assertThat(twinValues("t1", null, 100)).containsExactly("4", "6");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ((SqliteTwinStore) store).file());
                ResultSet rs = c.createStatement().executeQuery("SELECT (SELECT count(*) FROM history_property_by_twin)"
                        + " + (SELECT count(*) FROM history_property_by_twin_recent)")) {
            rs.next();
            assertThat(rs.getInt(1)).as("an entry for each row left").isEqualTo(3);
        }
    }

    /**
     * A move of the recent per-twin entries runs a chunk of whole twins per write, from the twin the last chunk
     * ended at; entries that arrive meanwhile for twins already moved wait for the next move, and reads see every
     * entry throughout.
     */
    @Test
    void theRecentPerTwinEntriesMoveInChunksOfWholeTwins() throws Exception {
        HistoryRows.ValueTable table = HistoryRows.ValueTable.PROPERTY;
        store.write(tx -> {
            tx.insertValueRows(table, List.of(row("t1", 1), row("t1", 2), row("t2", 1), row("t2", 2), row("t3", 1),
                    row("t4", 1), row("t4", 2), row("t5", 1)));
            return null;
        });
        store.write(tx -> {
            ((JdbcStoreTx) tx).moveRecentByTwin(table, 3);
            return null;
        });
        assertThat(byTwinEntries()).as("the third entry is t2's: all of t2 moves with it")
                .containsExactly("t1 t1 t2 t2", "t3 t4 t4 t5", "t2");
        store.write(tx -> {
            ((JdbcStoreTx) tx).moveRecentByTwin(table, 3);
            return null;
        });
        assertThat(byTwinEntries()).as("from after t2: the third entry is t4's second")
                .containsExactly("t1 t1 t2 t2 t3 t4 t4", "t5", "t4");
        store.write(tx -> {
            tx.insertValueRows(table, List.of(row("t1", 3), row("t4", 3)));
            return null;
        });
        assertThat(byTwinEntries()).as("a write during a move moves its next chunk: t5, the last; the new entries"
                + " of twins already moved wait").containsExactly("t1 t1 t2 t2 t3 t4 t4 t5", "t1 t4", "");
        assertThat(twinValues("t4", null, 100)).containsExactly("1", "2", "3");
        assertThat(twinValues("t1", null, 100)).containsExactly("1", "2", "3");
        store.write(tx -> {
            ((JdbcStoreTx) tx).moveRecentByTwin(table, 3);
            return null;
        });
        assertThat(byTwinEntries()).as("the next move starts from the first twin")
                .containsExactly("t1 t1 t1 t2 t2 t3 t4 t4 t4 t5", "", "");
    }

    /** The large per-twin table's twins, the recent one's, and the twin the move under way last moved. */
    private List<String> byTwinEntries() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ((SqliteTwinStore) store).file());
                Statement sql = c.createStatement()) {
            List<String> found = new ArrayList<>();
            for (String query : List.of("SELECT twin_id FROM history_property_by_twin",
                    "SELECT twin_id FROM history_property_by_twin_recent",
                    "SELECT twin_id FROM history_by_twin_moves")) {
                List<String> twins = new ArrayList<>();
                try (ResultSet rs = sql.executeQuery(query)) {
                    while (rs.next()) {
                        twins.add(rs.getString(1));
                    }
                }
                found.add(String.join(" ", twins));
            }
            return found;
        }
    }

    private List<String> twinValues(String twin, List<String> keys, int limit) {
        return store.<List<HistoryRows.Value>>read(tx -> tx.twinValues(HistoryRows.ValueTable.PROPERTY, "default",
                twin, keys, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", limit)).stream()
                .map(HistoryRows.Value::value).toList();
    }

    private static List<HistoryRows.PropertyEvent> propertyRows(TwinStore store) {
        return store.read(tx -> tx.propertyEvents(HistoryRows.ValueTable.PROPERTY, "default", null, null,
                "2020-01-01T00:00:00Z", "2099-01-01T00:00:00Z", 0, 100));
    }

    /**
     * SQLite keeps no index on the time ids were seen (one B-tree fewer written per ingress message): rows are pruned
     * from the lowest rowid, the oldest. Of each batch the rows older than the window go; a row stamped later than the
     * ones after it (the clock stepped back) stays until it is old enough itself.
     */
    @Test
    void seenIdsArePrunedInTheOrderTheyCameWithoutATimeIndex() throws Exception {
        SqliteTwinStore sqlite = (SqliteTwinStore) store;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + sqlite.file().toAbsolutePath());
                PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO ingress_seen (scope, message_id, seen_at) VALUES ('s', ?, ?)")) {
            long[] stamps = {1_000, 5_000, 1_100, 1_200, 1_300};
            for (int i = 0; i < stamps.length; i++) {
                insert.setString(1, "m-" + i);
                insert.setLong(2, stamps[i]);
                insert.executeUpdate();
            }
            try (ResultSet rs = c.createStatement().executeQuery(
                    "SELECT count(*) FROM sqlite_master WHERE name = 'ingress_seen_by_time'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("the index on seen_at is gone").isZero();
            }
        }
        Instant window = Instant.ofEpochMilli(2_000);
        assertThat(store.<Integer>write(tx -> tx.pruneSeen(window, 3))).as("m-0 and m-2 of the first three").isEqualTo(2);
        assertThat(store.<Integer>write(tx -> tx.pruneSeen(window, 3))).as("m-3 and m-4").isEqualTo(2);
        assertThat(store.<Integer>write(tx -> tx.pruneSeen(window, 3))).isZero();
        assertThat(store.<Boolean>write(tx -> tx.markSeen("s", "m-1"))).as("the newer m-1 is still known").isFalse();
        assertThat(store.<Integer>write(tx -> tx.pruneSeen(Instant.ofEpochMilli(6_000), 3))).isEqualTo(1);
        assertThat(store.<Boolean>write(tx -> tx.markSeen("s", "m-1"))).isTrue();
    }

    private static List<String> values(TwinStore store) {
        return propertyRows(store).stream().map(HistoryRows.PropertyEvent::value).toList();
    }
}
