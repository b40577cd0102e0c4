package io.twingress.history;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.AdtError;
import io.twingress.Json;
import io.twingress.event.CursorLease;
import io.twingress.event.DeadLetter;
import io.twingress.event.EndpointLimits;
import io.twingress.store.HistoryRows;
import io.twingress.store.OutboxCursor;
import io.twingress.store.OutboxEvent;
import io.twingress.store.OutboxPosition;
import io.twingress.store.TwinStore;

/**
 * The data history connections and their feed. Each connection reads the outbox after its own cursor, as an endpoint
 * does, so a history that falls behind delays only itself (the twin writes never wait for it). Instances sharing a
 * PostgreSQL take turns at a connection under the cursor's lease.
 * <ul>
 * <li>The embedded sink ({@link #feed}) writes its rows and moves its cursor in one write unit: every committed
 * change is historized exactly once. The rows may live in a store of their own ({@code rows}: on SQLite a second file
 * with its own writer thread, so that historizing does not take turns with the twin writes at the one writer). Its
 * cursor then lives there too, in the unit with the rows, and the events' store keeps a copy, moved after each
 * batch, which holds the events not yet historized back from pruning.
 * <li>A Kafka sink has its own route ({@code history-sink-<name>}): {@link #nextRecords} reads a batch and turns it
 * into one Kafka record per table and up to {@link #ROWS_PER_RECORD} rows (JSON lines in ADT's columns, with the
 * headers Azure Data Explorer's data connection routes by), the route sends them, and {@link #acknowledge} moves the
 * cursor: at least once. A failed send is retried as the connection's retry policy says ({@link #retryWhile}), then
 * the batch goes to its dead letter ({@link #deadLetter}) and the feed goes on.
 * </ul>
 */
public final class DataHistory {

    private static final Logger LOG = LoggerFactory.getLogger(DataHistory.class);
    private static final String DEFAULT = "default";
    private static final String DEFAULT_MADE = "history-default-made";
    static final int ROWS_PER_RECORD = 1000;
    /** camel-kafka's producer header for a record's key. */
    private static final String KAFKA_KEY = "kafka.KEY";
    /** Event properties an Azure Data Explorer Event Hubs data connection routes each event by. */
    public static final String TABLE_HEADER = "Table";
    public static final String FORMAT_HEADER = "Format";
    public static final String MAPPING_HEADER = "IngestionMappingReference";
    /** Exchange properties a Kafka sink's route carries between its steps. */
    public static final String BATCH_END = "TwingressHistoryBatchEnd";
    public static final String MORE = "TwingressHistoryMore";
    static final String EXPIRES = "TwingressHistoryExpires";
    static final String CONNECTION = "TwingressHistoryConnection";
    private static final DateTimeFormatter HOUR_PATH = DateTimeFormatter.ofPattern("yyyy/MM/dd/HH")
            .withZone(ZoneOffset.UTC);

    private final TwinStore store;
    /** Where the embedded sink's rows and cursors are: {@link #store} itself, or a store of their own. */
    private final TwinStore rows;
    private final Clock clock;
    private final String instanceId;
    private final int batchSize;
    private final Duration lease;
    private final EndpointLimits limits;
    private final Map<String, CursorLease> sinkCursors = new ConcurrentHashMap<>();
    private final List<Consumer<Map<String, HistoryConnection>>> listeners = new CopyOnWriteArrayList<>();
    private volatile Map<String, HistoryConnection> kafkaSinks = Map.of();
    /** The connections as last read, by their stored form. */
    private Map<String, HistoryConnection> lastRead = Map.of();

    public DataHistory(TwinStore store, Clock clock, String instanceId, int batchSize, Duration lease,
            EndpointLimits limits) {
        this(store, store, clock, instanceId, batchSize, lease, limits);
    }

    /** @param rows where the embedded sink writes its rows: {@code store}, or a store of their own */
    public DataHistory(TwinStore store, TwinStore rows, Clock clock, String instanceId, int batchSize, Duration lease,
            EndpointLimits limits) {
        this.store = store;
        this.rows = rows;
        this.clock = clock;
        this.instanceId = instanceId;
        this.batchSize = batchSize;
        this.lease = lease;
        this.limits = limits;
    }

    /** Told the connections with a Kafka sink at every feed (changed on this instance or another, or not). */
    public void onKafkaSinks(Consumer<Map<String, HistoryConnection>> listener) {
        listeners.add(listener);
        listener.accept(kafkaSinks);
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
                    tx.putHistoryConnection(DEFAULT, HistoryConnection.defaults(DEFAULT, clock.instant())
                            .toStored());
                    tx.createCursor(consumer(DEFAULT), tx.outboxEnd());
                }
            }
            return null;
        });
    }

    public HistoryConnection put(String name, JsonNode body) {
        HistoryConnection parsed = HistoryConnection.parse(name, body, limits, clock.instant());
        HistoryConnection put = store.write(tx -> {
            String stored = tx.historyConnections(null, Integer.MAX_VALUE).get(name);
            HistoryConnection kept = stored == null ? parsed
                    : parsed.withCreatedTime(HistoryConnection.fromStored(name, stored).createdTime());
            tx.putHistoryConnection(name, kept.toStored());
            // a new connection historizes what is committed from now on (see outboxEnd for writes running meanwhile)
            tx.createCursor(consumer(name), tx.outboxEnd());
            return kept;
        });
        refresh();
        return put;
    }

    public HistoryConnection get(String name) {
        String stored = store.read(tx -> tx.historyConnections(null, Integer.MAX_VALUE).get(name));
        if (stored == null) {
            throw AdtError.HISTORY_CONNECTION_NOT_FOUND.with("There is no history connection " + name + ".");
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
                throw AdtError.HISTORY_CONNECTION_NOT_FOUND.with("There is no history connection " + name + ".");
            }
            tx.deleteCursor(consumer(name));
            return null;
        });
        refresh();
    }

    /**
     * Historizes what every connection on the embedded sink has not yet, and tells the listeners the connections
     * with a Kafka sink; returns how many events were read.
     */
    public int feed() {
        int total = 0;
        for (HistoryConnection connection : refresh()) {
            if (connection.kafka() != null) {
                continue;
            }
            for (int read = batchSize; read == batchSize;) {
                read = feed(connection);
                total += read;
            }
        }
        return total;
    }

    /** Reads the connections, and tells the listeners those with a Kafka sink. */
    private synchronized List<HistoryConnection> refresh() {
        // read every feed period: a connection is parsed again only when its stored form changed
        Map<String, HistoryConnection> parsed = new HashMap<>();
        List<HistoryConnection> connections = new ArrayList<>();
        store.read(tx -> tx.historyConnections(null, Integer.MAX_VALUE)).forEach((name, stored) -> {
            HistoryConnection known = lastRead.get(stored);
            HistoryConnection connection;
            try {
                connection = known != null && known.name().equals(name) ? known
                        : HistoryConnection.fromStored(name, stored);
            } catch (RuntimeException e) {
                // one stored connection this release cannot read must not stop the others' history
                LOG.error("history connection {} as stored cannot be read, so it historizes nothing: {}", name,
                        e.getMessage());
                return;
            }
            parsed.put(stored, connection);
            connections.add(connection);
        });
        lastRead = parsed;
        Map<String, HistoryConnection> sinks = new TreeMap<>();
        connections.stream().filter(c -> c.kafka() != null).forEach(c -> sinks.put(c.name(), c));
        if (!sinks.equals(kafkaSinks)) {
            kafkaSinks = Map.copyOf(sinks);
        }
        // told also when nothing changed: a sink whose routes failed to start is tried again
        listeners.forEach(l -> l.accept(kafkaSinks));
        return connections;
    }

    private int feed(HistoryConnection connection) {
        String consumer = consumer(connection.name());
        long now = clock.millis();
        boolean apart = rows != store;
        // apart, the cursor that moves with the rows is in their store, and the one here a copy that lags it
        OutboxCursor kept = apart ? rows.read(tx -> tx.cursor(consumer)) : null;
        // the events are read and turned into rows outside the write unit: that is most of the feed's work, and on
        // SQLite every other write would wait for it behind the one writer
        Batch batch = store.read(tx -> {
            OutboxCursor here = tx.cursor(consumer);
            OutboxCursor cursor = apart ? kept : here;
            if (here == null) {
                return null;
            }
            if (cursor != null && cursor.owner() != null && !cursor.owner().equals(instanceId)
                    && cursor.leaseUntil() > now) {
                return LEASED_ELSEWHERE;
            }
            // a connection deleted and made again starts at the outbox's end: the rows' cursor left behind follows
            OutboxPosition from = cursor == null || here.position().compareTo(cursor.position()) > 0
                    ? here.position() : cursor.position();
            List<OutboxEvent> events = tx.eventsAfter(from, batchSize);
            HistoryRowSink.StoreRows collected = HistoryRowSink.collect();
            for (OutboxEvent event : events) {
                HistoryRecorder.record(tx, connection, event, collected);
            }
            if (events.isEmpty() && cursor != null && from.equals(cursor.position())
                    && instanceId.equals(cursor.owner()) && cursor.leaseUntil() - now > lease.toMillis() / 2) {
                // nothing to historize and the lease has long to run: no write (and no sync) every feed period
                return IDLE;
            }
            return new Batch(cursor == null ? from : cursor.position(), from, events, collected);
        });
        if (batch == LEASED_ELSEWHERE || batch == IDLE) {
            return 0;
        }
        int fed = rows.write(tx -> {
            if (batch == null) {
                if (!apart) {
                    tx.createCursor(consumer, tx.outboxEnd());
                }
                return 0;
            }
            tx.createCursor(consumer, batch.from());
            if (!tx.leaseCursor(consumer, instanceId, now, now + lease.toMillis())) {
                return 0;
            }
            if (!tx.cursor(consumer).position().equals(batch.after())) {
                // another instance moved it since the read: the next round reads from where it is
                return 0;
            }
            batch.rows().writeTo(tx);
            OutboxPosition to = batch.events().isEmpty() ? batch.from()
                    : batch.events().get(batch.events().size() - 1).position();
            if (!to.equals(batch.after())) {
                tx.advanceCursor(consumer, instanceId, to);
            }
            return batch.events().size();
        });
        if (apart && fed > 0) {
            OutboxPosition to = batch.events().get(batch.events().size() - 1).position();
            store.write(tx -> {
                OutboxCursor copy = tx.cursor(consumer);
                if (copy != null && copy.position().compareTo(to) < 0
                        && tx.leaseCursor(consumer, instanceId, now, now + lease.toMillis())) {
                    tx.advanceCursor(consumer, instanceId, to);
                }
                return null;
            });
        }
        return fed;
    }

    /** A connection's next events, read after {@code from}, and the rows they make; its cursor stood at {@code after}. */
    private record Batch(OutboxPosition after, OutboxPosition from, List<OutboxEvent> events,
            HistoryRowSink.StoreRows rows) {
    }

    /** Another instance holds the connection's lease: nothing to read or write this round. */
    private static final Batch LEASED_ELSEWHERE = new Batch(null, null, List.of(), null);

    /** Nothing new since the cursor, which this instance holds for a while yet: nothing to write this round. */
    private static final Batch IDLE = new Batch(null, null, List.of(), null);

    /** Deletes rows past their table's retention, at most {@code maxRows} per table and run. */
    public int applyRetention(int maxRows) {
        int deleted = 0;
        for (HistoryConnection connection : list(null, Integer.MAX_VALUE)) {
            for (Map.Entry<String, Duration> r : connection.retention().entrySet()) {
                String table = r.getKey().equals(connection.propertyTable()) ? "history_property_events"
                        : r.getKey().equals(connection.telemetryTable()) ? "history_telemetry_events"
                        : r.getKey().equals(connection.twinLifecycleTable()) ? "history_twin_lifecycle"
                        : "history_relationship_lifecycle";
                String before = HistoryTime.format(clock.instant().minus(r.getValue()));
                for (int i = 0; i < 20; i++) {
                    int n = rows.write(tx -> tx.pruneHistory(table, connection.name(), before, maxRows));
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

    // ---- Kafka sinks

    /**
     * Sets the body to the Kafka records of the connection's next batch (possibly none), {@link #MORE} if a full
     * batch was read, and what {@link #acknowledge} and {@link #retryWhile} need.
     */
    public void nextRecords(Exchange exchange, String name) {
        exchange.setProperty(MORE, false);
        exchange.removeProperty(BATCH_END);
        exchange.removeProperty(EXPIRES);
        exchange.setProperty(CONNECTION, name);
        exchange.getMessage().setBody(List.of());
        HistoryConnection connection = kafkaSinks.get(name);
        if (connection == null) {
            return;
        }
        CursorLease cursor = sinkCursors.computeIfAbsent(name, n -> new CursorLease(store, consumer(n), instanceId,
                clock, lease));
        if (!cursor.hold()) {
            return;
        }
        OutboxPosition after = cursor.position();
        KafkaRows rows = new KafkaRows(connection);
        List<OutboxEvent> events = store.read(tx -> {
            List<OutboxEvent> read = tx.eventsAfter(after, batchSize);
            read.forEach(event -> HistoryRecorder.record(tx, connection, event, rows));
            return read;
        });
        if (events.isEmpty()) {
            return;
        }
        exchange.setProperty(BATCH_END, events.get(events.size() - 1).position());
        exchange.setProperty(MORE, events.size() == batchSize);
        exchange.setProperty(EXPIRES, Instant.ofEpochMilli(events.get(0).recorded())
                .plus(connection.kafka().retryPolicy().timeToLive()));
        exchange.getMessage().setBody(rows.records(exchange.getContext()));
    }

    /** Moves the connection's cursor past the batch just sent (or dead-lettered). */
    public void acknowledge(Exchange exchange) {
        OutboxPosition end = exchange.getProperty(BATCH_END, OutboxPosition.class);
        CursorLease cursor = sinkCursors.get(exchange.getProperty(CONNECTION, String.class));
        if (end != null && cursor != null && !cursor.advance(end)) {
            LOG.info("history connection {} was taken over by another instance",
                    exchange.getProperty(CONNECTION, String.class));
        }
    }

    /** True while a failed send should be tried again: its oldest event has not outlived the retry policy's TTL. */
    public boolean retryWhile(Exchange exchange) {
        Instant expires = exchange.getProperty(EXPIRES, Instant.class);
        return expires == null || clock.instant().isBefore(expires);
    }

    /**
     * The dead-letter channel of a Kafka sink's route: keeps the batch's records as its dead letter says (files of JSON
     * lines, or nowhere but the log) and moves the cursor on. A batch whose retries ended early (the route is stopping)
     * is not dead-lettered: it is read again after the restart.
     */
    public void deadLetter(Exchange exchange) {
        String name = exchange.getProperty(CONNECTION, String.class);
        HistoryConnection connection = kafkaSinks.get(name);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (connection == null || retryWhile(exchange)) {
            throw new IllegalStateException("history sink " + name + " stopped before its batch was sent", cause);
        }
        @SuppressWarnings("unchecked")
        List<Message> records = exchange.getMessage().getBody(List.class);
        String reason = cause == null ? "unknown failure" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        DeadLetter deadLetter = connection.kafka().deadLetter();
        if (deadLetter.type() == DeadLetter.Type.Files) {
            OutboxPosition end = exchange.getProperty(BATCH_END, OutboxPosition.class);
            Path dir = deadLetter.directory().resolve(name).resolve(HOUR_PATH.format(clock.instant()));
            try {
                Files.createDirectories(dir);
                for (int i = 0; i < records.size(); i++) {
                    Message record = records.get(i);
                    Files.write(dir.resolve(end.seq() + "-" + i + "-" + record.getHeader(TABLE_HEADER) + ".json"),
                            record.getBody(byte[].class));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the dead letters of history connection " + name, e);
            }
        }
        LOG.warn("history connection {}: {} {} records after its retry policy's time to live: {}", name,
                deadLetter.type() == DeadLetter.Type.Files ? "dead-lettered to files" : "dropped", records.size(),
                reason);
        acknowledge(exchange);
    }

    /** Renews the leases this instance holds on Kafka sinks, so that a long retry does not lose them. */
    public void renewLeases() {
        sinkCursors.values().forEach(CursorLease::renew);
    }

    /** Lets go of a Kafka sink whose route stopped. */
    public void forget(String name) {
        CursorLease cursor = sinkCursors.remove(name);
        if (cursor != null) {
            cursor.release();
        }
    }

    /** A batch's rows for a Kafka sink: JSON lines in ADT's columns, per table, in event order. */
    private static final class KafkaRows implements HistoryRowSink {

        private final HistoryConnection connection;
        private final Map<String, List<ObjectNode>> byTable = new LinkedHashMap<>();

        KafkaRows(HistoryConnection connection) {
            this.connection = connection;
        }

        @Override
        public void value(HistoryRows.ValueTable table, HistoryRows.PropertyEvent row) {
            add(table == HistoryRows.ValueTable.PROPERTY ? connection.propertyTable() : connection.telemetryTable(),
                    AdxColumns.value(table, row));
        }

        @Override
        public void twinLifecycle(HistoryRows.TwinLifecycle row) {
            add(connection.twinLifecycleTable(), AdxColumns.twinLifecycle(row));
        }

        @Override
        public void relationshipLifecycle(HistoryRows.RelationshipLifecycle row) {
            add(connection.relationshipLifecycleTable(), AdxColumns.relationshipLifecycle(row));
        }

        private void add(String table, ObjectNode row) {
            byTable.computeIfAbsent(table, t -> new ArrayList<>()).add(row);
        }

        /** Keyed by table, so that one table's records keep their order in one partition. */
        List<Message> records(CamelContext context) {
            List<Message> records = new ArrayList<>();
            byTable.forEach((table, rows) -> {
                for (int from = 0; from < rows.size(); from += ROWS_PER_RECORD) {
                    StringBuilder lines = new StringBuilder();
                    rows.subList(from, Math.min(rows.size(), from + ROWS_PER_RECORD))
                            .forEach(row -> lines.append(Json.write(row)).append('\n'));
                    Message record = new DefaultMessage(context);
                    record.setHeader(KAFKA_KEY, table);
                    record.setHeader(TABLE_HEADER, table);
                    record.setHeader(FORMAT_HEADER, "json");
                    record.setHeader(MAPPING_HEADER, table + "_mapping");
                    record.setBody(lines.toString().getBytes(StandardCharsets.UTF_8));
                    records.add(record);
                }
            });
            return records;
        }
    }
}
