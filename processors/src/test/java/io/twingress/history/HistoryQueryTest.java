package io.twingress.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.twingress.store.HistoryRows;
import io.twingress.store.SqliteTwinStore;

class HistoryQueryTest {

    static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    SqliteTwinStore store;
    HistoryQuery query;

    @BeforeEach
    void open() throws Exception {
        store = new SqliteTwinStore(Files.createTempDirectory("history-query").resolve("t.db"), "NORMAL");
        query = new HistoryQuery(store);
        // t1.x: 1, 2, "n/a", 3 in the first hour (one removal), 10 in the third; t1.on: booleans; t2.x: 5
        row("t1", "x", "1", 0);
        row("t1", "x", "2", 10);
        row("t1", "x", "\"n/a\"", 20);
        row("t1", "x", null, 25);
        row("t1", "x", "3", 59 * 60 + 59);
        row("t1", "x", "10", 2 * 3600 + 1);
        row("t1", "on", "true", 30);
        row("t2", "x", "5", 3600);
        row("t3", "x", "99", 4 * 3600);
    }

    @AfterEach
    void close() {
        store.close();
    }

    void row(String twin, String key, String value, long secondsAfterT0) {
        String time = HistoryTime.format(T0.plusSeconds(secondsAfterT0));
        store.write(tx -> {
            tx.insertValueRows(HistoryRows.ValueTable.PROPERTY, List.of(new HistoryRows.PropertyEvent(0, "default",
                    time, null, "svc", twin, "dtmi:x;1", key, value, null, null, null)));
            return null;
        });
    }

    List<String> downsampled(HistoryQuery.Aggregate aggregate) {
        List<ObjectNode> rows = query.downsampled(HistoryRows.ValueTable.PROPERTY, "default", Set.of("t2", "t1"),
                null, T0, T0.plus(Duration.ofHours(3)), Duration.ofHours(1), aggregate);
        return rows.stream().map(r -> r.get("Id").asText() + "." + r.get("Key").asText() + "@"
                + r.get("TimeStamp").asText().substring(11, 13) + "=" + r.get("Value") + "/" + r.get("Count"))
                .toList();
    }

    @Test
    void eachIntervalFoldsItsValuesByTwinPropertyAndTime() {
        assertThat(downsampled(HistoryQuery.Aggregate.AVG)).containsExactly("t1.x@00=2/4", "t1.x@02=10/1",
                "t2.x@01=5/1");
        assertThat(downsampled(HistoryQuery.Aggregate.SUM)).containsExactly("t1.x@00=6/4", "t1.x@02=10/1",
                "t2.x@01=5/1");
        assertThat(downsampled(HistoryQuery.Aggregate.MIN)).containsExactly("t1.x@00=1/4", "t1.x@02=10/1",
                "t2.x@01=5/1");
        assertThat(downsampled(HistoryQuery.Aggregate.MAX)).containsExactly("t1.x@00=3/4", "t1.x@02=10/1",
                "t2.x@01=5/1");
        // count, first and last take every value, numbers or not; a removal is no value
        assertThat(downsampled(HistoryQuery.Aggregate.COUNT)).containsExactly("t1.on@00=1/1", "t1.x@00=4/4",
                "t1.x@02=1/1", "t2.x@01=1/1");
        assertThat(downsampled(HistoryQuery.Aggregate.FIRST)).containsExactly("t1.on@00=true/1", "t1.x@00=1/4",
                "t1.x@02=10/1", "t2.x@01=5/1");
        assertThat(downsampled(HistoryQuery.Aggregate.LAST)).containsExactly("t1.on@00=true/1", "t1.x@00=3/4",
                "t1.x@02=10/1", "t2.x@01=5/1");
    }

    @Test
    void theRangeEndIsExclusiveAndOtherTwinsAreNotRead() {
        List<ObjectNode> rows = query.downsampled(HistoryRows.ValueTable.PROPERTY, "default", Set.of("t1"),
                Set.of("x"), T0, T0.plusSeconds(2 * 3600 + 1), Duration.ofMinutes(30), HistoryQuery.Aggregate.COUNT);
        assertThat(rows).extracting(r -> r.get("TimeStamp").asText() + "=" + r.get("Value"))
                .containsExactly("2026-11-01T00:00:00Z=3", "2026-11-01T00:30:00Z=1");
    }
}
