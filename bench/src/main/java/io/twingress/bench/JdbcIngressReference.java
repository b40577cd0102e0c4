package io.twingress.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;

import io.twingress.store.SqliteTwinStore;

/**
 * IngressThroughput's same-run store reference: what the embedded store alone costs for the sustained phase's
 * messages, as raw JDBC on the very SQLite file the application writes to. Copies of the application's twin rows,
 * of its seen-id table and of its outbox ({@code bench_ingress_*}, the same columns, keys, index and JSON bodies)
 * get, per message, the three statements the twins' writer runs for a message worked out ahead: its id recorded
 * (insert, duplicates ignored), the twin's guarded update (etag and model-set version unchanged, the body with the
 * new Temperature as text), its event appended (a Twin.Update CloudEvent's columns, the patch as data). One thread,
 * one connection configured as the store's writer ({@link SqliteTwinStore#openWriter}: WAL, the same
 * {@code synchronous}, its page cache and log settings; passive checkpoints left to the application's
 * checkpointer), a commit per batch of the application's batch size, messages spread over the
 * twins as the keyed topic spreads them (each batch a run of distinct twins in random order). No Kafka, no Camel, no
 * JSON parsing, no history: the application's sustained rate divided by this is the share of the store's capacity
 * it delivers, and a target above this rate is above what the store does here.
 */
final class JdbcIngressReference {

    private static final String MODEL_VERSION = "(SELECT version FROM model_catalogue WHERE id = 1)";

    private JdbcIngressReference() {
    }

    /** What the reference did: messages over seconds, and its thread's CPU and time in commits. */
    record Result(long messages, double seconds, double cpuMicrosPerMessage, double commitMicrosPerMessage) {

        double rate() {
            return messages / seconds;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d messages in %.2f s: %.0f msgs/s; its thread's CPU %.1f µs per"
                    + " message, commits %.1f µs of wall time per message", messages, seconds, rate(),
                    cpuMicrosPerMessage, commitMicrosPerMessage);
        }
    }

    static Result run(InProcessTwingress app, int messages, int batch, int partitions, String topic)
            throws SQLException {
        try (Connection c = SqliteTwinStore.openWriter(app.sqliteFile(), app.sqliteSynchronous())) {
            List<String[]> twins = copyTables(c);
            long version;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT " + MODEL_VERSION)) {
                rs.next();
                version = rs.getLong(1);
            }
            Collections.shuffle(twins, new Random(42));
            try (PreparedStatement seen = c.prepareStatement("INSERT INTO bench_ingress_seen (scope, message_id,"
                    + " seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
                    PreparedStatement update = c.prepareStatement("UPDATE bench_ingress_twins SET etag = ?, body = ?"
                            + " WHERE id = ? AND etag = ? AND model_id = ? AND " + MODEL_VERSION + " = ?");
                    PreparedStatement event = c.prepareStatement("INSERT INTO bench_ingress_outbox (tx_id,"
                            + " recorded, event_id, type, source, subject, time, dataschema, traceparent, data,"
                            + " extra, only_for) VALUES (0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                long cpuFrom = threads.getCurrentThreadCpuTime();
                long from = System.nanoTime();
                long commitNanos = 0;
                for (int first = 0; first < messages; first += batch) {
                    c.setAutoCommit(false);
                    for (int i = first; i < Math.min(messages, first + batch); i++) {
                        String[] twin = twins.get(i % twins.size());
                        seen.setString(1, "kafka:" + topic);
                        seen.setString(2, topic + "-" + i % partitions + "-" + i / partitions);
                        seen.setLong(3, System.currentTimeMillis());
                        seen.executeUpdate();
                        String etag = "W/\"" + UUID.randomUUID() + "\"";
                        String value = i + ".5";
                        update.setString(1, etag);
                        update.setString(2, withTemperature(twin[3], value));
                        update.setString(3, twin[0]);
                        update.setString(4, twin[2]);
                        update.setString(5, twin[1]);
                        update.setLong(6, version);
                        if (update.executeUpdate() != 1) {
                            throw new SQLException("twin " + twin[0] + " not updated");
                        }
                        twin[2] = etag;
                        Instant now = Instant.now();
                        event.setLong(1, now.toEpochMilli());
                        event.setString(2, UUID.randomUUID().toString());
                        event.setString(3, "Microsoft.DigitalTwins.Twin.Update");
                        event.setString(4, "127.0.0.1:8080");
                        event.setString(5, twin[0]);
                        event.setString(6, now.toString());
                        event.setString(7, null);
                        event.setString(8, "00-" + UUID.randomUUID().toString().replace("-", "") + "-"
                                + Long.toHexString(now.toEpochMilli()) + "0000-01");
                        event.setString(9, "{\"modelId\":\"" + twin[1] + "\",\"patch\":[{\"value\":" + value
                                + ",\"path\":\"/Temperature\",\"op\":\"replace\"}]}");
                        event.setString(10, null);
                        event.setString(11, null);
                        event.executeUpdate();
                    }
                    long commitFrom = System.nanoTime();
                    c.commit();
                    commitNanos += System.nanoTime() - commitFrom;
                    c.setAutoCommit(true);
                }
                double seconds = (System.nanoTime() - from) / 1e9;
                double cpu = (threads.getCurrentThreadCpuTime() - cpuFrom) / 1e3 / messages;
                return new Result(messages, seconds, cpu, commitNanos / 1e3 / messages);
            } finally {
                try (Statement s = c.createStatement()) {
                    s.execute("DROP TABLE bench_ingress_twins");
                    s.execute("DROP TABLE bench_ingress_seen");
                    s.execute("DROP TABLE bench_ingress_outbox");
                }
            }
        }
    }

    /** Copies the twins, empty copies of the seen ids and the outbox; the twins' rows as id, model, etag, body. */
    private static List<String[]> copyTables(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("CREATE TABLE bench_ingress_twins (id TEXT NOT NULL PRIMARY KEY, model_id TEXT NOT NULL,"
                    + " etag TEXT NOT NULL, body TEXT NOT NULL)");
            s.execute("INSERT INTO bench_ingress_twins SELECT id, model_id, etag, body FROM twins");
            s.execute("CREATE TABLE bench_ingress_seen (scope TEXT NOT NULL, message_id TEXT NOT NULL,"
                    + " seen_at TEXT NOT NULL, PRIMARY KEY (scope, message_id))");
            s.execute("CREATE TABLE bench_ingress_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, tx_id BIGINT NOT NULL"
                    + " DEFAULT 0, event_id TEXT NOT NULL, type TEXT NOT NULL, source TEXT NOT NULL, subject TEXT,"
                    + " recorded BIGINT NOT NULL, time TEXT NOT NULL, dataschema TEXT, traceparent TEXT,"
                    + " data TEXT NOT NULL, extra TEXT, only_for TEXT)");
            s.execute("CREATE INDEX bench_ingress_outbox_by_position ON bench_ingress_outbox (tx_id, seq)");
            c.commit();
            c.setAutoCommit(true);
            List<String[]> twins = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT id, model_id, etag, body FROM bench_ingress_twins")) {
                while (rs.next()) {
                    twins.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
                }
            }
            return twins;
        }
    }

    /** The body with its top-level Temperature value replaced (added if absent), edited as text. */
    private static String withTemperature(String body, String value) {
        String key = "\"Temperature\":";
        int from = body.indexOf(key);
        if (from < 0) {
            return "{" + key + value + "," + body.substring(1);
        }
        from += key.length();
        int to = from;
        while (to < body.length() && body.charAt(to) != ',' && body.charAt(to) != '}') {
            to++;
        }
        return body.substring(0, from) + value + body.substring(to);
    }
}
