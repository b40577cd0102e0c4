package io.twingress.history;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.AdtError;
import io.twingress.Json;
import io.twingress.store.OutboxEvent;
import io.twingress.store.OutboxPosition;
import io.twingress.store.TwinStore;

/**
 * The data history connections and their feed. Each connection reads the outbox after its own cursor, as an endpoint
 * does, and on the embedded sink writes its rows and moves its cursor in one write unit: every committed change is
 * historized exactly once, and a history that falls behind delays only itself (the twin writes never wait for it).
 * Instances sharing a PostgreSQL take turns at a connection under the cursor's lease.
 */
public final class DataHistory {

    private static final Logger LOG = LoggerFactory.getLogger(DataHistory.class);
    private static final String DEFAULT = "default";
    private static final String DEFAULT_MADE = "history-default-made";

    private final TwinStore store;
    private final Clock clock;
    private final String instanceId;
    private final int batchSize;
    private final Duration lease;

    public DataHistory(TwinStore store, Clock clock, String instanceId, int batchSize, Duration lease) {
        this.store = store;
        this.clock = clock;
        this.instanceId = instanceId;
        this.batchSize = batchSize;
        this.lease = lease;
    }

    static String consumer(String name) {
        return "history:" + name;
    }

    /**
     * A fresh installation gets the default connection, so history works with no setup; once made, it is not made
     * again (a user who deleted it keeps it deleted). The marker is a cursor past every event, which holds no event
     * back from pruning.
     */
    public void ensureDefault() {
        store.write(tx -> {
            if (tx.cursor(DEFAULT_MADE) == null) {
                tx.createCursor(DEFAULT_MADE, new OutboxPosition(Long.MAX_VALUE, Long.MAX_VALUE));
                if (tx.historyConnections(null, 1).isEmpty()) {
                    tx.putHistoryConnection(DEFAULT, Json.write(HistoryConnection.defaults(DEFAULT, clock.instant())
                            .toResource()));
                    tx.createCursor(consumer(DEFAULT), tx.outboxHead());
                }
            }
            return null;
        });
    }

    public HistoryConnection put(String name, JsonNode body) {
        HistoryConnection parsed = HistoryConnection.parse(name, body, clock.instant());
        return store.write(tx -> {
            String stored = tx.historyConnections(null, Integer.MAX_VALUE).get(name);
            HistoryConnection kept = stored == null ? parsed : new HistoryConnection(name, parsed.propertyTable(),
                    parsed.twinLifecycleTable(), parsed.relationshipLifecycleTable(), parsed.recordRemovals(),
                    parsed.retention(), HistoryConnection.fromStored(name, stored).createdTime());
            tx.putHistoryConnection(name, Json.write(kept.toResource()));
            // a new connection historizes what is committed from now on
            tx.createCursor(consumer(name), tx.outboxHead());
            return kept;
        });
    }

    public HistoryConnection get(String name) {
        String stored = store.read(tx -> tx.historyConnections(null, Integer.MAX_VALUE).get(name));
        if (stored == null) {
            throw AdtError.NOT_FOUND.with("There is no history connection " + name + ".");
        }
        return HistoryConnection.fromStored(name, stored);
    }

    public List<HistoryConnection> list(String afterName, int limit) {
        List<HistoryConnection> found = new ArrayList<>();
        store.read(tx -> tx.historyConnections(afterName, limit))
                .forEach((name, spec) -> found.add(HistoryConnection.fromStored(name, spec)));
        return found;
    }

    /** Deletes a connection and its place in the outbox; the rows it wrote stay until their retention. */
    public void delete(String name) {
        store.write(tx -> {
            if (!tx.deleteHistoryConnection(name)) {
                throw AdtError.NOT_FOUND.with("There is no history connection " + name + ".");
            }
            tx.deleteCursor(consumer(name));
            return null;
        });
    }

    /** Historizes the next batch of every connection; returns how many events were read. */
    public int feed() {
        int total = 0;
        SortedMap<String, String> connections = store.read(tx -> tx.historyConnections(null, Integer.MAX_VALUE));
        for (Map.Entry<String, String> c : connections.entrySet()) {
            HistoryConnection connection = HistoryConnection.fromStored(c.getKey(), c.getValue());
            for (int read = batchSize; read == batchSize;) {
                read = feed(connection);
                total += read;
            }
        }
        return total;
    }

    private int feed(HistoryConnection connection) {
        String consumer = consumer(connection.name());
        long now = clock.millis();
        return store.write(tx -> {
            tx.createCursor(consumer, tx.outboxHead());
            if (!tx.leaseCursor(consumer, instanceId, now, now + lease.toMillis())) {
                return 0;
            }
            OutboxPosition after = tx.cursor(consumer).position();
            List<OutboxEvent> events = tx.eventsAfter(after, batchSize);
            for (OutboxEvent event : events) {
                HistoryRecorder.record(tx, connection, event);
            }
            if (!events.isEmpty()) {
                tx.advanceCursor(consumer, instanceId, events.get(events.size() - 1).position());
            }
            return events.size();
        });
    }

    /** Deletes rows past their table's retention, at most {@code maxRows} per table and run. */
    public int applyRetention(int maxRows) {
        int deleted = 0;
        for (HistoryConnection connection : list(null, Integer.MAX_VALUE)) {
            for (Map.Entry<String, Duration> r : connection.retention().entrySet()) {
                String table = r.getKey().equals(connection.propertyTable()) ? "history_property_events"
                        : r.getKey().equals(connection.twinLifecycleTable()) ? "history_twin_lifecycle"
                        : "history_relationship_lifecycle";
                String before = HistoryTime.format(clock.instant().minus(r.getValue()));
                for (int i = 0; i < 20; i++) {
                    int n = store.write(tx -> tx.pruneHistory(table, connection.name(), before, maxRows));
                    deleted += n;
                    if (n < maxRows) {
                        break;
                    }
                }
            }
        }
        if (deleted > 0) {
            LOG.debug("history retention deleted {} rows", deleted);
        }
        return deleted;
    }
}
