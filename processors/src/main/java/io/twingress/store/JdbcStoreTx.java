package io.twingress.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** {@link StoreTx} over one JDBC connection; the same SQL serves SQLite and PostgreSQL. */
final class JdbcStoreTx implements StoreTx {

    private static final String TWIN_COLUMNS = "id, model_id, etag, body";
    private static final String TWIN_BY_ID = "SELECT " + TWIN_COLUMNS + " FROM twins WHERE id = ?";
    /** The model set's version, as a scalar subquery. */
    private static final String MODELS_VERSION = "(SELECT version FROM model_catalogue WHERE id = 1)";
    private static final String TWIN_AND_MODELS_VERSION_BY_ID = "SELECT " + TWIN_COLUMNS + ", " + MODELS_VERSION
            + " FROM twins WHERE id = ?";
    private static final String REL_COLUMNS = "source_id, id, target_id, name, etag, body";

    private final Connection connection;
    private final Dialect dialect;
    private final String forUpdate;
    private final String forShare;
    private final String twinForUpdate;
    private final String twinAndModelsVersionForUpdate;

    /** The connection's kept statements, or null: each statement is then prepared and closed. */
    private final StatementCache cache;
    /**
     * The model-set version a unit read first, kept for its other model lookups (several per twin change). A write
     * unit on SQLite holds the one writer, so nothing else moves it meanwhile; on PostgreSQL a change another instance
     * commits meanwhile is seen by the next unit, as if committed just after this one read. A read unit reads one
     * snapshot on both stores (SQLite's read transaction, PostgreSQL's repeatable read), which cannot move.
     */
    private Long modelsVersion;

    JdbcStoreTx(Connection connection, Dialect dialect, boolean write) {
        this(connection, dialect, write, null);
    }

    JdbcStoreTx(Connection connection, Dialect dialect, boolean write, StatementCache cache) {
        this.connection = connection;
        this.cache = cache;
        this.dialect = dialect;
        // SQLite serializes writers on the whole database, so row locks are neither needed nor supported;
        // a read unit takes none.
        boolean locks = write && dialect.rowLocks;
        this.forUpdate = locks ? " FOR UPDATE" : "";
        this.forShare = locks ? " FOR SHARE" : "";
        this.twinForUpdate = locks ? TWIN_BY_ID + " FOR UPDATE" : TWIN_BY_ID;
        this.twinAndModelsVersionForUpdate = locks ? TWIN_AND_MODELS_VERSION_BY_ID + " FOR UPDATE"
                : TWIN_AND_MODELS_VERSION_BY_ID;
    }

    @Override
    public long modelsVersion() {
        if (modelsVersion != null) {
            return modelsVersion;
        }
        modelsVersion = query("SELECT version FROM model_catalogue WHERE id = 1", rs -> rs.getLong(1)).get(0);
        return modelsVersion;
    }

    @Override
    public long lockModels() {
        // the UPDATE takes the row lock (PostgreSQL) or runs under the single writer (SQLite); the SELECT after it
        // reads the unit's own write
        update("UPDATE model_catalogue SET version = version + 1 WHERE id = 1");
        modelsVersion = null;
        return modelsVersion();
    }

    @Override
    public void insertModel(StoredModel model) {
        update("INSERT INTO models (id, definition, upload_time, decommissioned) VALUES (?, ?, ?, ?)",
                model.id(), model.definition(), model.uploadTime().toString(), model.decommissioned());
    }

    @Override
    public StoredModel model(String id) {
        List<StoredModel> found = query("SELECT id, definition, upload_time, decommissioned FROM models WHERE id = ?",
                JdbcStoreTx::toModel, id);
        return found.isEmpty() ? null : found.get(0);
    }

    @Override
    public List<StoredModel> models() {
        return query("SELECT id, definition, upload_time, decommissioned FROM models ORDER BY seq", JdbcStoreTx::toModel);
    }

    @Override
    public void updateModelDecommissioned(String id, boolean decommissioned) {
        update("UPDATE models SET decommissioned = ? WHERE id = ?", decommissioned, id);
    }

    @Override
    public void deleteModel(String id) {
        update("DELETE FROM models WHERE id = ?", id);
    }

    @Override
    public StoredTwin twin(String id) {
        return first(query(TWIN_BY_ID, JdbcStoreTx::toTwin, id));
    }

    @Override
    public List<String> twinIdsWhere(String property, String value, int limit) {
        // a scan of every twin's body; the ingress pipeline, its one caller, remembers what it found
        return query("SELECT id FROM twins WHERE " + dialect.topLevelProperty + " = ? ORDER BY id LIMIT ?",
                rs -> rs.getString(1), property, value, limit);
    }

    @Override
    public StoredTwin twinForUpdate(String id) {
        if (modelsVersion != null) {
            return first(query(twinForUpdate, JdbcStoreTx::toTwin, id));
        }
        // the unit's model lookups come next: the model-set version is read with the twin, one round trip fewer on
        // PostgreSQL (as of the statement's start: a model change that commits while it waits for the twin's lock
        // is seen by the next unit, as if committed just after this one read)
        return first(query(twinAndModelsVersionForUpdate, rs -> {
            modelsVersion = rs.getLong(5);
            return toTwin(rs);
        }, id));
    }

    @Override
    public List<StoredTwin> twinsById(Collection<String> ids) {
        List<StoredTwin> found = new ArrayList<>();
        List<String> all = new ArrayList<>(ids);
        // bounded IN lists keep every statement well under the drivers' parameter limits; each list is padded to a
        // power of two with its last id again, so that batches of every size share a few kept statements rather than
        // each size preparing its own and pushing others out of the connection's cache
        for (int from = 0; from < all.size(); from += 512) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + 512));
            Object[] args = new Object[Math.max(8, Integer.highestOneBit(chunk.size() - 1) << 1)];
            for (int i = 0; i < args.length; i++) {
                args[i] = chunk.get(Math.min(i, chunk.size() - 1));
            }
            found.addAll(query("SELECT " + TWIN_COLUMNS + " FROM twins WHERE id IN (" + placeholders(args.length)
                    + ")", JdbcStoreTx::toTwin, args));
        }
        return found;
    }

    @Override
    public StoredTwin twinForShare(String id) {
        return first(query("SELECT " + TWIN_COLUMNS + " FROM twins WHERE id = ?" + forShare, JdbcStoreTx::toTwin, id));
    }

    @Override
    public void insertTwin(StoredTwin twin) {
        update("INSERT INTO twins (" + TWIN_COLUMNS + ") VALUES (?, ?, ?, ?)",
                twin.id(), twin.modelId(), twin.etag(), twin.body());
    }

    /**
     * On PostgreSQL, a twin's update not yet sent: it goes with the unit's next statement, as part of it when that is
     * the update's event ({@link #appendEvent}), else just before it, or at the end of the unit ({@link #flush}).
     * A PATCH is then one round trip fewer: read for update, update with its event, commit.
     */
    private StoredTwin unsentTwin;

    private static final String UPDATE_TWIN_POSTGRESQL = "UPDATE twins SET model_id = ?, etag = ?, body = ?"
            + " WHERE id = ?";

    /** Sends the twin update held back for the next statement, if there is one; the unit's writes end here. */
    void flush() {
        StoredTwin twin = unsentTwin;
        if (twin != null) {
            unsentTwin = null;
            update(UPDATE_TWIN_POSTGRESQL, twin.modelId(), twin.etag(), twin.body(), twin.id());
        }
    }

    @Override
    public void updateTwin(StoredTwin twin) {
        if (dialect == Dialect.POSTGRESQL) {
            // PostgreSQL keeps an update heap-only when an indexed column keeps its value: the model is simply set
            flush();
            unsentTwin = twin;
            return;
        }
        // the model rarely changes: naming it in SET would make SQLite rewrite the twin's entry in twins_by_model
        // even when it is the same (a third more pages written per update), so it is set only when it differs
        if (update("UPDATE twins SET etag = ?, body = ? WHERE id = ? AND model_id = ?", twin.etag(), twin.body(),
                twin.id(), twin.modelId()) == 0) {
            update("UPDATE twins SET model_id = ?, etag = ?, body = ? WHERE id = ?", twin.modelId(), twin.etag(),
                    twin.body(), twin.id());
        }
    }

    @Override
    public boolean updateTwinIfUnchanged(StoredTwin twin, String etag, long modelsVersion) {
        // as updateTwin on SQLite: the model is set only if it changed. The version is read in the statement (on
        // PostgreSQL without a lock, as the latest committed), not through modelsVersion(): one round trip fewer per
        // unit
        return update("UPDATE twins SET etag = ?, body = ? WHERE id = ? AND etag = ? AND model_id = ? AND "
                + MODELS_VERSION + " = ?", twin.etag(), twin.body(), twin.id(), etag, twin.modelId(),
                modelsVersion) == 1
                || update("UPDATE twins SET model_id = ?, etag = ?, body = ? WHERE id = ? AND etag = ? AND "
                        + MODELS_VERSION + " = ?", twin.modelId(), twin.etag(), twin.body(), twin.id(), etag,
                        modelsVersion) == 1;
    }

    @Override
    public boolean updateTwinIfUnchanged(StoredTwin twin, String etag, long modelsVersion, OutboxEvent event) {
        if (dialect != Dialect.POSTGRESQL) {
            return StoreTx.super.updateTwinIfUnchanged(twin, etag, modelsVersion, event);
        }
        // the event's insert counts 1 only if the twin's update did
        return update(UPDATE_AND_EVENT_POSTGRESQL, replayArgs(new ReplayRequest(null, null, twin, etag, modelsVersion,
                event))) == 1;
    }

    @Override
    public void deleteTwin(String id) {
        update("DELETE FROM twins WHERE id = ?", id);
    }

    @Override
    public List<StoredTwin> twins(Collection<String> modelIds, List<NumericBound> bounds, String afterId, int limit) {
        if (modelIds != null && modelIds.isEmpty()) {
            return List.of();
        }
        List<Object> args = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT " + TWIN_COLUMNS + " FROM twins WHERE 1 = 1");
        if (modelIds != null && modelIds.size() == 1) {
            sql.append(" AND model_id = ?");
            args.addAll(modelIds);
        } else if (modelIds != null) {
            // SQLite would read a family of models through the model index and then sort every remaining twin of
            // the family for each page; the unary + makes it walk the id order and filter instead
            sql.append(dialect.scanFamiliesById ? " AND +model_id IN (" : " AND model_id IN (")
                    .append(placeholders(modelIds.size())).append(')');
            args.addAll(modelIds);
        }
        if (afterId != null) {
            sql.append(" AND id > ?");
            args.add(afterId);
        }
        if (dialect.jsonBounds) {
            for (NumericBound bound : bounds) {
                String path = jsonPath(bound.path());
                if (path != null) {
                    // inclusive and compared as doubles: rounding can only let more twins through, never fewer
                    sql.append(" AND json_extract(body, ?) ").append(bound.upper() ? "<=" : ">=").append(" ?");
                    args.add(path);
                    args.add(bound.value().doubleValue());
                }
            }
        }
        sql.append(" ORDER BY id LIMIT ?");
        args.add(limit);
        return query(sql.toString(), JdbcStoreTx::toTwin, args.toArray());
    }

    /** SQLite's JSON path for property names, or null when a name needs escaping the path syntax lacks. */
    private static String jsonPath(List<String> names) {
        StringBuilder path = new StringBuilder("$");
        for (String name : names) {
            if (name.indexOf('"') >= 0 || name.indexOf('\\') >= 0) {
                return null;
            }
            path.append(".\"").append(name).append('"');
        }
        return path.toString();
    }

    @Override
    public long countTwins(Collection<String> modelIds) {
        if (modelIds == null) {
            return query("SELECT COUNT(*) FROM twins", rs -> rs.getLong(1)).get(0);
        }
        if (modelIds.isEmpty()) {
            return 0;
        }
        return query("SELECT COUNT(*) FROM twins WHERE model_id IN (" + placeholders(modelIds.size()) + ")",
                rs -> rs.getLong(1), modelIds.toArray()).get(0);
    }

    @Override
    public StoredRelationship relationship(String sourceId, String id) {
        return first(query("SELECT " + REL_COLUMNS + " FROM relationships WHERE source_id = ? AND id = ?",
                JdbcStoreTx::toRelationship, sourceId, id));
    }

    @Override
    public StoredRelationship relationshipForUpdate(String sourceId, String id) {
        return first(query("SELECT " + REL_COLUMNS + " FROM relationships WHERE source_id = ? AND id = ?" + forUpdate,
                JdbcStoreTx::toRelationship, sourceId, id));
    }

    @Override
    public void insertRelationship(StoredRelationship r) {
        update("INSERT INTO relationships (" + REL_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)",
                r.sourceId(), r.id(), r.targetId(), r.name(), r.etag(), r.body());
    }

    @Override
    public void updateRelationship(StoredRelationship r) {
        update("UPDATE relationships SET etag = ?, body = ? WHERE source_id = ? AND id = ?",
                r.etag(), r.body(), r.sourceId(), r.id());
    }

    @Override
    public void deleteRelationship(String sourceId, String id) {
        update("DELETE FROM relationships WHERE source_id = ? AND id = ?", sourceId, id);
    }

    @Override
    public List<StoredRelationship> outgoing(String sourceId, Collection<String> names, String afterId, int limit) {
        List<Object> args = new ArrayList<>(List.of(sourceId));
        StringBuilder sql = new StringBuilder("SELECT " + REL_COLUMNS + " FROM relationships WHERE source_id = ?");
        appendNames(sql, args, names);
        if (afterId != null) {
            sql.append(" AND id > ?");
            args.add(afterId);
        }
        sql.append(" ORDER BY id LIMIT ?");
        args.add(limit);
        return query(sql.toString(), JdbcStoreTx::toRelationship, args.toArray());
    }

    @Override
    public List<StoredRelationship> incoming(String targetId, Collection<String> names, String afterSourceId,
            String afterId, int limit) {
        List<Object> args = new ArrayList<>(List.of(targetId));
        StringBuilder sql = new StringBuilder("SELECT " + REL_COLUMNS + " FROM relationships WHERE target_id = ?");
        appendNames(sql, args, names);
        appendAfter(sql, args, afterSourceId, afterId);
        sql.append(" ORDER BY source_id, id LIMIT ?");
        args.add(limit);
        return query(sql.toString(), JdbcStoreTx::toRelationship, args.toArray());
    }

    @Override
    public List<StoredRelationship> relationships(String afterSourceId, String afterId, int limit) {
        List<Object> args = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT " + REL_COLUMNS + " FROM relationships WHERE 1 = 1");
        appendAfter(sql, args, afterSourceId, afterId);
        sql.append(" ORDER BY source_id, id LIMIT ?");
        args.add(limit);
        return query(sql.toString(), JdbcStoreTx::toRelationship, args.toArray());
    }

    @Override
    public boolean hasRelationships(String twinId) {
        return !query("SELECT 1 FROM relationships WHERE source_id = ? OR target_id = ? LIMIT 1",
                rs -> 1, twinId, twinId).isEmpty();
    }

    private static final String MARK_SEEN = "INSERT INTO ingress_seen (scope, message_id, seen_at) VALUES (?, ?, ?)"
            + " ON CONFLICT DO NOTHING";
    private static final String FORGET_SEEN = "DELETE FROM ingress_seen WHERE scope = ? AND message_id = ?";

    @Override
    public boolean markSeen(String scope, String messageId) {
        return update(MARK_SEEN, scope, messageId, System.currentTimeMillis()) == 1;
    }

    @Override
    public void forgetSeen(String scope, String messageId) {
        update(FORGET_SEEN, scope, messageId);
    }

    /**
     * PostgreSQL's replays ({@link #replayIfUnchanged}, {@link #replayAll}): the twin's guarded update and its event
     * as data-modifying parts of one statement, the event written only if the twin was ({@link #replayArgs}). The
     * model is set whatever it was (PostgreSQL keeps an update heap-only when an indexed column keeps its value); the
     * event's values are cast, as a SELECT does not take their columns' types.
     */
    private static final String GUARDED_UPDATE = "twin AS (UPDATE twins SET model_id = ?, etag = ?, body = ?"
            + " WHERE id = ? AND etag = ? AND " + MODELS_VERSION + " = ?";
    private static final String EVENT_IF_TWIN_WRITTEN = "INSERT INTO outbox_events (tx_id, recorded, event_id, type,"
            + " source, subject, time, dataschema, traceparent, data, extra, only_for) SELECT "
            + Dialect.POSTGRESQL.currentTxId + ", CAST(? AS bigint), CAST(? AS text), CAST(? AS text), CAST(? AS text),"
            + " CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS text),"
            + " CAST(? AS text) WHERE EXISTS (SELECT 1 FROM twin)";
    /** One message: the id first, and the update only if it was new; answers both counts. */
    private static final String REPLAY_POSTGRESQL = "WITH seen AS (" + MARK_SEEN + " RETURNING 1), " + GUARDED_UPDATE
            + " AND EXISTS (SELECT 1 FROM seen) RETURNING 1), event AS (" + EVENT_IF_TWIN_WRITTEN + ")"
            + " SELECT (SELECT count(*) FROM seen), (SELECT count(*) FROM twin)";
    /** The update and its event, for a batch whose ids were recorded before; its count is 1 if the twin was written. */
    private static final String UPDATE_AND_EVENT_POSTGRESQL = "WITH " + GUARDED_UPDATE + " RETURNING 1) "
            + EVENT_IF_TWIN_WRITTEN;

    @Override
    public Replay replayIfUnchanged(String scope, String messageId, StoredTwin twin, String etag, long modelsVersion,
            OutboxEvent e) {
        if (dialect != Dialect.POSTGRESQL) {
            // on SQLite a statement is a call into the library, not a round trip: the three as they are
            return StoreTx.super.replayIfUnchanged(scope, messageId, twin, etag, modelsVersion, e);
        }
        Object[] seen = {scope, messageId, System.currentTimeMillis()};
        Object[] rest = replayArgs(new ReplayRequest(scope, messageId, twin, etag, modelsVersion, e));
        Object[] args = java.util.Arrays.copyOf(seen, seen.length + rest.length);
        System.arraycopy(rest, 0, args, seen.length, rest.length);
        long[] written = query(REPLAY_POSTGRESQL, rs -> new long[] {rs.getLong(1), rs.getLong(2)}, args).get(0);
        return written[0] == 0 ? Replay.DUPLICATE : written[1] == 0 ? Replay.STALE : Replay.APPLIED;
    }

    @Override
    public List<Replay> replayAll(List<ReplayRequest> requests) {
        if (dialect != Dialect.POSTGRESQL || requests.size() < 2) {
            return StoreTx.super.replayAll(requests);
        }
        // JDBC batches, each one round trip: the ids (a count of 0 is a duplicate), then the new ones' updates with
        // their events (0: the twin or the model set moved), each statement in the order of the requests; then the
        // stale ones' ids are forgotten again, if there are any
        long now = System.currentTimeMillis();
        int[] recorded = counts(MARK_SEEN, requests, r -> new Object[] {r.scope(), r.messageId(), now});
        List<ReplayRequest> fresh = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            if (recorded[i] == 1) {
                fresh.add(requests.get(i));
            }
        }
        int[] written = counts(UPDATE_AND_EVENT_POSTGRESQL, fresh, JdbcStoreTx::replayArgs);
        List<Replay> done = new ArrayList<>(requests.size());
        List<ReplayRequest> stale = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < requests.size(); i++) {
            done.add(recorded[i] != 1 ? Replay.DUPLICATE : written[next++] == 1 ? Replay.APPLIED : Replay.STALE);
            if (done.get(i) == Replay.STALE) {
                stale.add(requests.get(i));
            }
        }
        batch(FORGET_SEEN, stale, r -> new Object[] {r.scope(), r.messageId()});
        return done;
    }

    /** The parameters of {@link #GUARDED_UPDATE} and {@link #EVENT_IF_TWIN_WRITTEN}, in their order. */
    private static Object[] replayArgs(ReplayRequest r) {
        StoredTwin twin = r.twin();
        OutboxEvent e = r.event();
        return new Object[] {twin.modelId(), twin.etag(), twin.body(), twin.id(), r.etag(), r.modelsVersion(),
            e.recorded(), e.eventId(), e.type(), e.source(), e.subject(), e.time(), e.dataschema(), e.traceparent(),
            e.data(), e.extra(), e.onlyFor()};
    }

    @Override
    public int pruneSeen(Instant before, int limit) {
        if (dialect.insertsInCommitOrder) {
            // the oldest rows are the first by rowid: of the first batch, those older than the window go; a row the
            // clock stamped later than the next ones (it stepped back) stays until it is old enough itself
            return update("DELETE FROM ingress_seen WHERE rowid IN (SELECT rowid FROM ingress_seen ORDER BY rowid"
                    + " LIMIT ?) AND seen_at < ?", limit, before.toEpochMilli());
        }
        return update("DELETE FROM ingress_seen WHERE (scope, message_id) IN (SELECT scope, message_id FROM"
                + " ingress_seen WHERE seen_at < ? LIMIT ?)", before.toEpochMilli(), limit);
    }

    private static final String EVENT_COLUMNS = "tx_id, seq, recorded, event_id, type, source, subject, time, dataschema,"
            + " traceparent, data, extra, only_for";

    /** By dialect: built once, as the statement cache finds a statement by its text (a new string hashes anew). */
    private static final Map<Dialect, String> APPEND_EVENT = new EnumMap<>(Dialect.class);

    static {
        for (Dialect d : Dialect.values()) {
            APPEND_EVENT.put(d, "INSERT INTO outbox_events (tx_id, recorded, event_id, type, source, subject, time,"
                    + " dataschema, traceparent, data, extra, only_for) VALUES (" + d.currentTxId
                    + ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        }
    }

    /** A twin's update and its event in one statement. */
    private static final String UPDATE_TWIN_AND_APPEND_POSTGRESQL = "WITH twin AS (" + UPDATE_TWIN_POSTGRESQL + ") "
            + APPEND_EVENT.get(Dialect.POSTGRESQL);

    @Override
    public void appendEvent(OutboxEvent e) {
        StoredTwin twin = unsentTwin;
        if (twin != null && twin.id().equals(e.subject())) {
            unsentTwin = null;
            update(UPDATE_TWIN_AND_APPEND_POSTGRESQL, twin.modelId(), twin.etag(), twin.body(), twin.id(), e.recorded(),
                    e.eventId(), e.type(), e.source(), e.subject(), e.time(), e.dataschema(), e.traceparent(), e.data(),
                    e.extra(), e.onlyFor());
            return;
        }
        update(APPEND_EVENT.get(dialect), e.recorded(), e.eventId(), e.type(), e.source(), e.subject(), e.time(),
                e.dataschema(), e.traceparent(), e.data(), e.extra(), e.onlyFor());
    }

    @Override
    public List<OutboxEvent> eventsAfter(OutboxPosition after, int limit) {
        if (dialect.insertsInCommitOrder) {
            return query("SELECT " + EVENT_COLUMNS + " FROM outbox_events WHERE seq > ? ORDER BY seq LIMIT ?",
                    JdbcStoreTx::toEvent, after.seq(), limit);
        }
        long horizon = horizon();
        // two range scans of (tx_id, seq): the rest of the position's transaction, then later ones. As one
        // "(tx_id > ? OR (tx_id = ? AND seq > ?))" (or a row-value comparison) SQLite bounded only tx_id and walked
        // the index from its start, so each batch cost as much as the outbox was long
        List<OutboxEvent> events = query("SELECT " + EVENT_COLUMNS + " FROM outbox_events WHERE tx_id = ? AND seq > ?"
                + " AND tx_id < ? ORDER BY tx_id, seq LIMIT ?", JdbcStoreTx::toEvent, after.txId(), after.seq(),
                horizon, limit);
        if (events.size() == limit) {
            return events;
        }
        List<OutboxEvent> all = new ArrayList<>(events);
        all.addAll(query("SELECT " + EVENT_COLUMNS + " FROM outbox_events WHERE tx_id > ? AND tx_id < ?"
                + " ORDER BY tx_id, seq LIMIT ?", JdbcStoreTx::toEvent, after.txId(), horizon, limit - events.size()));
        return all;
    }

    @Override
    public OutboxPosition outboxHead() {
        // with one writer every committed event is final: there is no horizon to read
        return lastEventBelow(dialect.insertsInCommitOrder ? Long.MAX_VALUE : horizon());
    }

    @Override
    public OutboxPosition outboxEnd() {
        return lastEventBelow(Long.MAX_VALUE);
    }

    private OutboxPosition lastEventBelow(long txId) {
        List<OutboxPosition> last = dialect.insertsInCommitOrder
                ? query("SELECT tx_id, seq FROM outbox_events ORDER BY seq DESC LIMIT 1",
                        rs -> new OutboxPosition(rs.getLong(1), rs.getLong(2)))
                : query("SELECT tx_id, seq FROM outbox_events WHERE tx_id < ? ORDER BY tx_id DESC, seq DESC LIMIT 1",
                        rs -> new OutboxPosition(rs.getLong(1), rs.getLong(2)), txId);
        return last.isEmpty() ? OutboxPosition.START : last.get(0);
    }

    private long horizon() {
        return query(dialect.outboxHorizon, rs -> rs.getLong(1)).get(0);
    }

    @Override
    public int pruneEvents(OutboxPosition upTo, int limit) {
        if (dialect.insertsInCommitOrder) {
            return update("DELETE FROM outbox_events WHERE seq IN (SELECT seq FROM outbox_events WHERE seq <= ?"
                    + " ORDER BY seq LIMIT ?)", upTo.seq(), limit);
        }
        return update("DELETE FROM outbox_events WHERE seq IN (SELECT seq FROM outbox_events WHERE tx_id < ?"
                + " OR (tx_id = ? AND seq <= ?) ORDER BY tx_id, seq LIMIT ?)", upTo.txId(), upTo.txId(), upTo.seq(),
                limit);
    }

    @Override
    public OutboxCursor cursor(String consumer) {
        return first(query("SELECT consumer, after_tx, after_seq, owner, lease_until FROM outbox_cursors"
                + " WHERE consumer = ?" + forUpdate, JdbcStoreTx::toCursor, consumer));
    }

    @Override
    public List<OutboxCursor> cursors() {
        return query("SELECT consumer, after_tx, after_seq, owner, lease_until FROM outbox_cursors ORDER BY consumer",
                JdbcStoreTx::toCursor);
    }

    @Override
    public void createCursor(String consumer, OutboxPosition position) {
        update("INSERT INTO outbox_cursors (consumer, after_tx, after_seq) VALUES (?, ?, ?)"
                + " ON CONFLICT (consumer) DO NOTHING", consumer, position.txId(), position.seq());
    }

    @Override
    public boolean leaseCursor(String consumer, String owner, long now, long leaseUntil) {
        return update("UPDATE outbox_cursors SET owner = ?, lease_until = ? WHERE consumer = ?"
                + " AND (owner IS NULL OR owner = ? OR lease_until < ?)", owner, leaseUntil, consumer, owner, now) == 1;
    }

    @Override
    public void releaseCursor(String consumer, String owner) {
        update("UPDATE outbox_cursors SET lease_until = 0 WHERE consumer = ? AND owner = ?", consumer, owner);
    }

    @Override
    public boolean advanceCursor(String consumer, String owner, OutboxPosition position) {
        return update("UPDATE outbox_cursors SET after_tx = ?, after_seq = ? WHERE consumer = ? AND owner = ?",
                position.txId(), position.seq(), consumer, owner) == 1;
    }

    @Override
    public void deleteCursor(String consumer) {
        update("DELETE FROM outbox_cursors WHERE consumer = ?", consumer);
    }

    @Override
    public void putEndpoint(String name, String spec) {
        update("INSERT INTO egress_endpoints (name, spec) VALUES (?, ?)"
                + " ON CONFLICT (name) DO UPDATE SET spec = excluded.spec", name, spec);
    }

    @Override
    public String endpoint(String name) {
        return first(query("SELECT spec FROM egress_endpoints WHERE name = ?", rs -> rs.getString(1), name));
    }

    @Override
    public SortedMap<String, String> endpoints(String afterName, int limit) {
        SortedMap<String, String> found = new TreeMap<>();
        query("SELECT name, spec FROM egress_endpoints WHERE name > ? ORDER BY name LIMIT ?",
                rs -> found.put(rs.getString(1), rs.getString(2)), afterName == null ? "" : afterName, limit);
        return found;
    }

    @Override
    public boolean deleteEndpoint(String name) {
        return update("DELETE FROM egress_endpoints WHERE name = ?", name) == 1;
    }

    @Override
    public void putEventRoute(String id, String endpointName, String body) {
        update("INSERT INTO event_routes (id, endpoint_name, body) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE"
                + " SET endpoint_name = excluded.endpoint_name, body = excluded.body", id, endpointName, body);
    }

    @Override
    public String eventRoute(String id) {
        return first(query("SELECT body FROM event_routes WHERE id = ?", rs -> rs.getString(1), id));
    }

    @Override
    public SortedMap<String, String> eventRoutes(String endpointName, String afterId, int limit) {
        SortedMap<String, String> found = new TreeMap<>();
        String after = afterId == null ? "" : afterId;
        if (endpointName == null) {
            query("SELECT id, body FROM event_routes WHERE id > ? ORDER BY id LIMIT ?",
                    rs -> found.put(rs.getString(1), rs.getString(2)), after, limit);
        } else {
            query("SELECT id, body FROM event_routes WHERE endpoint_name = ? AND id > ? ORDER BY id LIMIT ?",
                    rs -> found.put(rs.getString(1), rs.getString(2)), endpointName, after, limit);
        }
        return found;
    }

    @Override
    public boolean deleteEventRoute(String id) {
        return update("DELETE FROM event_routes WHERE id = ?", id) == 1;
    }

    private static final String DEAD_LETTER_COLUMNS = "id, endpoint, event_id, event, reason, attempts, last_attempt";

    @Override
    public void insertDeadLetter(DeadLetterRow row) {
        update("INSERT INTO dead_letters (endpoint, event_id, event, reason, attempts, last_attempt)"
                + " VALUES (?, ?, ?, ?, ?, ?)", row.endpoint(), row.eventId(), row.event(), row.reason(),
                row.attempts(), row.lastAttempt());
    }

    @Override
    public List<DeadLetterRow> deadLetters(String endpoint, long afterId, int limit) {
        return query("SELECT " + DEAD_LETTER_COLUMNS + " FROM dead_letters WHERE endpoint = ? AND id > ?"
                + " ORDER BY id LIMIT ?", JdbcStoreTx::toDeadLetter, endpoint, afterId, limit);
    }

    @Override
    public List<DeadLetterRow> deadLettersByEvent(String endpoint, Collection<String> eventIds, int limit) {
        if (eventIds == null) {
            return deadLetters(endpoint, 0, limit);
        }
        List<DeadLetterRow> found = new ArrayList<>();
        List<String> all = new ArrayList<>(eventIds);
        for (int from = 0; from < all.size() && found.size() < limit; from += 500) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + 500));
            List<Object> args = new ArrayList<>();
            args.add(endpoint);
            args.addAll(chunk);
            found.addAll(query("SELECT " + DEAD_LETTER_COLUMNS + " FROM dead_letters WHERE endpoint = ? AND event_id"
                    + " IN (" + placeholders(chunk.size()) + ") ORDER BY id", JdbcStoreTx::toDeadLetter,
                    args.toArray()));
        }
        return found.size() > limit ? found.subList(0, limit) : found;
    }

    @Override
    public int deleteDeadLetters(Collection<Long> ids) {
        int deleted = 0;
        List<Long> all = new ArrayList<>(ids);
        for (int from = 0; from < all.size(); from += 500) {
            List<Long> chunk = all.subList(from, Math.min(all.size(), from + 500));
            deleted += update("DELETE FROM dead_letters WHERE id IN (" + placeholders(chunk.size()) + ")",
                    chunk.toArray());
        }
        return deleted;
    }

    @Override
    public long countDeadLetters(String endpoint) {
        return query("SELECT COUNT(*) FROM dead_letters WHERE endpoint = ?", rs -> rs.getLong(1), endpoint).get(0);
    }

    private static final String INGRESS_DEAD_LETTER_COLUMNS = "id, source, message_id, device_id, received, reason,"
            + " message, replays, last_replayed";

    @Override
    public void insertIngressDeadLetter(IngressDeadLetterRow row) {
        update("INSERT INTO ingress_dead_letters (source, message_id, device_id, received, reason, message)"
                + " VALUES (?, ?, ?, ?, ?, ?)", row.source(), row.messageId(), row.deviceId(), row.received(),
                row.reason(), row.message());
    }

    @Override
    public boolean refusedAgain(long id, String reason, String time) {
        return update("UPDATE ingress_dead_letters SET reason = ?, replays = replays + 1, last_replayed = ?"
                + " WHERE id = ?", reason, time, id) > 0;
    }

    @Override
    public List<IngressDeadLetterRow> ingressDeadLetters(long afterId, int limit) {
        return query("SELECT " + INGRESS_DEAD_LETTER_COLUMNS + " FROM ingress_dead_letters WHERE id > ? ORDER BY id"
                + " LIMIT ?", JdbcStoreTx::toIngressDeadLetter, afterId, limit);
    }

    @Override
    public List<IngressDeadLetterRow> ingressDeadLettersById(Collection<Long> ids) {
        List<IngressDeadLetterRow> found = new ArrayList<>();
        List<Long> all = new ArrayList<>(ids);
        for (int from = 0; from < all.size(); from += 500) {
            List<Long> chunk = all.subList(from, Math.min(all.size(), from + 500));
            found.addAll(query("SELECT " + INGRESS_DEAD_LETTER_COLUMNS + " FROM ingress_dead_letters WHERE id IN ("
                    + placeholders(chunk.size()) + ") ORDER BY id", JdbcStoreTx::toIngressDeadLetter, chunk.toArray()));
        }
        return found;
    }

    @Override
    public int deleteIngressDeadLetters(Collection<Long> ids) {
        int deleted = 0;
        List<Long> all = new ArrayList<>(ids);
        for (int from = 0; from < all.size(); from += 500) {
            List<Long> chunk = all.subList(from, Math.min(all.size(), from + 500));
            deleted += update("DELETE FROM ingress_dead_letters WHERE id IN (" + placeholders(chunk.size()) + ")",
                    chunk.toArray());
        }
        return deleted;
    }

    private static IngressDeadLetterRow toIngressDeadLetter(ResultSet rs) throws SQLException {
        return new IngressDeadLetterRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getInt(8), rs.getString(9));
    }

    @Override
    public void putHistoryConnection(String name, String spec) {
        update("INSERT INTO history_connections (name, spec) VALUES (?, ?)"
                + " ON CONFLICT (name) DO UPDATE SET spec = excluded.spec", name, spec);
    }

    @Override
    public SortedMap<String, String> historyConnections(String afterName, int limit) {
        SortedMap<String, String> found = new TreeMap<>();
        query("SELECT name, spec FROM history_connections WHERE name > ? ORDER BY name LIMIT ?",
                rs -> found.put(rs.getString(1), rs.getString(2)), afterName == null ? "" : afterName, limit);
        return found;
    }

    @Override
    public boolean deleteHistoryConnection(String name) {
        return update("DELETE FROM history_connections WHERE name = ?", name) == 1;
    }

    private static final String PROPERTY_EVENT_COLUMNS = "id, connection, time_stamp, source_time_stamp, service_id,"
            + " twin_id, model_id, key, value, relationship_target, relationship_id, action";
    private static final String TELEMETRY_EVENT_COLUMNS = "id, connection, time_stamp, source_time_stamp, service_id,"
            + " twin_id, model_id, key, value, NULL, NULL, NULL";

    /**
     * On SQLite the per-twin index of the history's value rows is kept in two tables rather than as an index on
     * them: each row's entry goes first into a small one, and when that holds this many they are moved to the large
     * one, in their order. An index on the rows themselves took each row's entry to a random page of one large tree,
     * so a batch of rows wrote about as many pages as it had rows, each whole, to the log and again at the
     * checkpoint; moved in sorted runs, each page of the large tree takes many entries at once.
     */
    static final int BY_TWIN_RUN = 100_000;
    /**
     * A move runs in chunks of whole twins holding about this many entries, one chunk per history write, so that
     * no one commit writes the whole run (one did: 0.5-0.9 s, its fsync shared with the twins' writer's). A chunk's
     * twins take as many entries each as when the run moved at once.
     */
    static final int BY_TWIN_CHUNK = 25_000;

    @Override
    public void insertValueRows(HistoryRows.ValueTable table, List<HistoryRows.PropertyEvent> rows) {
        if (rows.isEmpty()) {
            return;
        }
        long before = dialect == Dialect.SQLITE
                ? query("SELECT coalesce(max(id), 0) FROM " + table.sqlName(), rs -> rs.getLong(1)).get(0) : 0;
        insertRows(table, rows);
        if (dialect == Dialect.SQLITE) {
            update("INSERT INTO " + table.byTwinRecent() + " SELECT connection, twin_id, time_stamp, id FROM "
                    + table.sqlName() + " WHERE id > ?", before);
            if (lastMovedTwin(table) != null || query("SELECT count(*) FROM " + table.byTwinRecent(),
                    rs -> rs.getLong(1)).get(0) >= BY_TWIN_RUN) {
                moveRecentByTwin(table, BY_TWIN_CHUNK);
            }
        }
    }

    /**
     * Moves the next chunk of the newest rows' per-twin entries into the large per-twin table, in its order: the
     * entries of the twins after the one the move under way last moved, up to the twin of the {@code chunk}th entry
     * (all of that twin's). The move ends when a chunk reaches the last twin; entries that arrived meanwhile for
     * twins already moved wait for the next move.
     */
    void moveRecentByTwin(HistoryRows.ValueTable table, int chunk) {
        List<Object> from = lastMovedTwin(table);
        String after = from == null ? " WHERE 1 = 1" : " WHERE (connection, twin_id) > (?, ?)";
        List<Object> args = new ArrayList<>(from == null ? List.of() : from);
        List<Object> bound = new ArrayList<>(args);
        bound.add(chunk - 1);
        List<Object> to = first(query("SELECT connection, twin_id FROM " + table.byTwinRecent() + after
                + " ORDER BY connection, twin_id LIMIT 1 OFFSET ?", rs -> List.<Object>of(rs.getString(1),
                        rs.getString(2)), bound.toArray()));
        String range = to == null ? after : after + " AND (connection, twin_id) <= (?, ?)";
        if (to != null) {
            args.addAll(to);
        }
        update("INSERT INTO " + table.byTwin() + " SELECT * FROM " + table.byTwinRecent() + range
                + " ORDER BY connection, twin_id, time_stamp, id", args.toArray());
        update("DELETE FROM " + table.byTwinRecent() + range, args.toArray());
        if (to == null) {
            update("DELETE FROM history_by_twin_moves WHERE by_twin = ?", table.byTwinRecent());
        } else {
            update("INSERT INTO history_by_twin_moves (by_twin, connection, twin_id) VALUES (?, ?, ?)"
                    + " ON CONFLICT (by_twin) DO UPDATE SET connection = excluded.connection,"
                    + " twin_id = excluded.twin_id", table.byTwinRecent(), to.get(0), to.get(1));
        }
    }

    /** The connection and twin that the move under way of {@code table}'s recent entries last moved, or null. */
    private List<Object> lastMovedTwin(HistoryRows.ValueTable table) {
        return first(query("SELECT connection, twin_id FROM history_by_twin_moves WHERE by_twin = ?",
                rs -> List.<Object>of(rs.getString(1), rs.getString(2)), table.byTwinRecent()));
    }

    private void insertRows(HistoryRows.ValueTable table, List<HistoryRows.PropertyEvent> rows) {
        if (table == HistoryRows.ValueTable.PROPERTY) {
            batch("INSERT INTO history_property_events (connection, time_stamp, source_time_stamp, service_id, twin_id,"
                    + " model_id, key, value, relationship_target, relationship_id, action) VALUES (?, ?, ?, ?, ?, ?, ?,"
                    + " ?, ?, ?, ?)", rows, r -> new Object[] {r.connection(), r.timeStamp(), r.sourceTimeStamp(),
                        r.serviceId(), r.twinId(), r.modelId(), r.key(), r.value(), r.relationshipTarget(),
                        r.relationshipId(), r.action()});
        } else {
            batch("INSERT INTO history_telemetry_events (connection, time_stamp, source_time_stamp, service_id, twin_id,"
                    + " model_id, key, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows, r -> new Object[] {
                        r.connection(), r.timeStamp(), r.sourceTimeStamp(), r.serviceId(), r.twinId(), r.modelId(),
                        r.key(), r.value()});
        }
    }

    @Override
    public void insertTwinLifecycle(HistoryRows.TwinLifecycle r) {
        update("INSERT INTO history_twin_lifecycle (connection, twin_id, action, time_stamp, service_id, model_id)"
                + " VALUES (?, ?, ?, ?, ?, ?)", r.connection(), r.twinId(), r.action(), r.timeStamp(), r.serviceId(),
                r.modelId());
    }

    @Override
    public void insertRelationshipLifecycle(HistoryRows.RelationshipLifecycle r) {
        update("INSERT INTO history_relationship_lifecycle (connection, relationship_id, name, action, time_stamp,"
                + " service_id, source, target) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", r.connection(), r.relationshipId(),
                r.name(), r.action(), r.timeStamp(), r.serviceId(), r.source(), r.target());
    }

    @Override
    public List<HistoryRows.PropertyEvent> propertyEvents(HistoryRows.ValueTable table, String connection,
            Collection<String> twinIds, Collection<String> keys, String from, String to, long afterId, int limit) {
        if (twinIds != null && twinIds.isEmpty()) {
            return List.of();
        }
        String columns = table == HistoryRows.ValueTable.PROPERTY ? PROPERTY_EVENT_COLUMNS
                : TELEMETRY_EVENT_COLUMNS;
        StringBuilder sql = new StringBuilder("SELECT " + columns + " FROM " + table.sqlName() + " WHERE");
        List<Object> args = new ArrayList<>();
        String twins = twinIds == null ? null
                : twinIds.size() == 1 ? "twin_id = ?" : "twin_id IN (" + placeholders(twinIds.size()) + ")";
        if (twins != null && dialect == Dialect.SQLITE) {
            // the twins' entries after afterId in both per-twin tables; the rows are then read by id, in id order
            String arm = " WHERE connection = ? AND " + twins + " AND time_stamp >= ? AND time_stamp < ? AND id > ?";
            List<Object> armArgs = new ArrayList<>(List.of(connection));
            armArgs.addAll(twinIds);
            armArgs.addAll(List.of(from, to, afterId));
            sql.append(" id > ? AND id IN (SELECT id FROM ").append(table.byTwin()).append(arm)
                    .append(" UNION ALL SELECT id FROM ").append(table.byTwinRecent()).append(arm).append(')');
            args.add(afterId);
            args.addAll(armArgs);
            args.addAll(armArgs);
        } else {
            sql.append(" connection = ? AND time_stamp >= ? AND time_stamp < ? AND id > ?");
            args.addAll(List.of(connection, from, to, afterId));
            if (twins != null) {
                sql.append(" AND ").append(twins);
                args.addAll(twinIds);
            }
        }
        if (keys != null && !keys.isEmpty()) {
            sql.append(" AND key IN (").append(placeholders(keys.size())).append(')');
            args.addAll(keys);
        }
        sql.append(" ORDER BY id LIMIT ?");
        args.add(limit);
        return query(sql.toString(), rs -> new HistoryRows.PropertyEvent(rs.getLong(1), rs.getString(2),
                rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                rs.getString(9), rs.getString(10), rs.getString(11), rs.getString(12)), args.toArray());
    }

    @Override
    public List<HistoryRows.Value> twinValues(HistoryRows.ValueTable table, String connection, String twinId,
            Collection<String> keys, String from, String to, int limit) {
        // key is the value table's column alone, so it needs no table's name below
        String keyIn = keys == null || keys.isEmpty() ? "" : " AND key IN (" + placeholders(keys.size()) + ")";
        List<Object> bounds = new ArrayList<>(List.of(connection, twinId, from, to));
        bounds.addAll(keys == null ? List.of() : keys);
        StringBuilder sql = new StringBuilder();
        List<Object> args = new ArrayList<>(bounds);
        if (dialect == Dialect.SQLITE) {
            // along both per-twin tables, merged in their order (connection, twin_id, time_stamp, id)
            String arm = " t JOIN " + table.sqlName() + " e ON e.id = t.id WHERE t.connection = ? AND t.twin_id = ?"
                    + " AND t.time_stamp >= ? AND t.time_stamp < ?" + keyIn;
            sql.append("SELECT key, t.time_stamp, value, t.id FROM ").append(table.byTwin()).append(arm)
                    .append(" UNION ALL SELECT key, t.time_stamp, value, t.id FROM ").append(table.byTwinRecent())
                    .append(arm).append(" ORDER BY 2, 4 LIMIT ?");
            args.addAll(bounds);
        } else {
            // along the per-twin index (connection, twin_id, time_stamp), in its order
            sql.append("SELECT key, time_stamp, value FROM ").append(table.sqlName()).append(" WHERE connection = ?"
                    + " AND twin_id = ? AND time_stamp >= ? AND time_stamp < ?").append(keyIn)
                    .append(" ORDER BY time_stamp, id LIMIT ?");
        }
        args.add(limit);
        return query(sql.toString(), rs -> new HistoryRows.Value(rs.getString(1), rs.getString(2), rs.getString(3)),
                args.toArray());
    }

    @Override
    public int pruneHistory(String table, String connection, String before, int limit) {
        if (!table.matches("history_(property_events|telemetry_events|twin_lifecycle|relationship_lifecycle)")) {
            throw new IllegalArgumentException("not a history table: " + table);
        }
        String oldest = "SELECT id FROM " + table + " WHERE connection = ? AND time_stamp < ? ORDER BY id LIMIT ?";
        HistoryRows.ValueTable values = HistoryRows.ValueTable.of(table);
        if (dialect == Dialect.SQLITE && values != null) {
            for (String byTwin : List.of(values.byTwin(), values.byTwinRecent())) {
                update("DELETE FROM " + byTwin + " WHERE (connection, twin_id, time_stamp, id) IN (SELECT connection,"
                        + " twin_id, time_stamp, id FROM " + table + " WHERE id IN (" + oldest + "))", connection,
                        before, limit);
            }
        }
        return update("DELETE FROM " + table + " WHERE id IN (" + oldest + ")", connection, before, limit);
    }

    private static OutboxEvent toEvent(ResultSet rs) throws SQLException {
        return new OutboxEvent(new OutboxPosition(rs.getLong(1), rs.getLong(2)), rs.getLong(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                rs.getString(11), rs.getString(12), rs.getString(13));
    }

    private static OutboxCursor toCursor(ResultSet rs) throws SQLException {
        return new OutboxCursor(rs.getString(1), new OutboxPosition(rs.getLong(2), rs.getLong(3)), rs.getString(4),
                rs.getLong(5));
    }

    private static DeadLetterRow toDeadLetter(ResultSet rs) throws SQLException {
        return new DeadLetterRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getInt(6), rs.getString(7));
    }

    private static void appendNames(StringBuilder sql, List<Object> args, Collection<String> names) {
        if (names != null && !names.isEmpty()) {
            sql.append(" AND name IN (").append(placeholders(names.size())).append(')');
            args.addAll(names);
        }
    }

    private static void appendAfter(StringBuilder sql, List<Object> args, String afterSourceId, String afterId) {
        if (afterSourceId != null) {
            // row-value comparison, spelled out because not every SQLite build has it
            sql.append(" AND (source_id > ? OR (source_id = ? AND id > ?))");
            args.add(afterSourceId);
            args.add(afterSourceId);
            args.add(afterId == null ? "" : afterId);
        }
    }

    private static String placeholders(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    private static <T> T first(List<T> rows) {
        return rows.isEmpty() ? null : rows.get(0);
    }

    private static StoredModel toModel(ResultSet rs) throws SQLException {
        return new StoredModel(rs.getString(1), rs.getString(2), Instant.parse(rs.getString(3)), rs.getBoolean(4));
    }

    private static StoredTwin toTwin(ResultSet rs) throws SQLException {
        return new StoredTwin(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4));
    }

    private static StoredRelationship toRelationship(ResultSet rs) throws SQLException {
        return new StoredRelationship(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6));
    }

    @FunctionalInterface
    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
        PreparedStatement ps = null;
        try {
            ps = prepare(sql, args);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(mapper.map(rs));
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new StoreException("query failed: " + sql, e);
        } finally {
            release(ps);
        }
    }

    private int update(String sql, Object... args) {
        PreparedStatement ps = null;
        try {
            ps = prepare(sql, args);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("update failed: " + sql, e);
        } finally {
            release(ps);
        }
    }

    /** One statement run for every row, sent as one JDBC batch (one round trip to PostgreSQL instead of one each). */
    private <R> void batch(String sql, List<R> rows, java.util.function.Function<R, Object[]> args) {
        runBatch(sql, rows, args);
    }

    /**
     * As {@link #batch}, with the rows each statement changed. A driver that does not tell them (pgjdbc with
     * {@code reWriteBatchedInserts}) is refused: the caller's answer would be a guess.
     */
    private <R> int[] counts(String sql, List<R> rows, java.util.function.Function<R, Object[]> args) {
        int[] counts = runBatch(sql, rows, args);
        for (int count : counts) {
            if (count < 0) {
                throw new StoreException("the driver did not report the rows each statement of a batch changed"
                        + " (reWriteBatchedInserts?): " + sql, null);
            }
        }
        return counts;
    }

    private <R> int[] runBatch(String sql, List<R> rows, java.util.function.Function<R, Object[]> args) {
        if (rows.isEmpty()) {
            return new int[0];
        }
        PreparedStatement ps = null;
        try {
            ps = prepare(sql);
            for (R row : rows) {
                Object[] values = args.apply(row);
                for (int i = 0; i < values.length; i++) {
                    ps.setObject(i + 1, values[i]);
                }
                ps.addBatch();
            }
            return ps.executeBatch();
        } catch (SQLException e) {
            throw new StoreException("batch failed: " + sql, e);
        } finally {
            release(ps);
        }
    }

    /** Closes a statement unless the cache keeps it. */
    private void release(PreparedStatement ps) {
        if (ps != null && cache == null) {
            try {
                ps.close();
            } catch (SQLException e) {
                // the statement is done with either way
            }
        }
    }

    /**
     * True while the unit runs without a transaction of its own, its first statement its own transaction
     * ({@link JdbcTwinStore#writeGuarded}); the transaction begins before the second statement.
     */
    private boolean firstStatementAlone;
    private boolean statementRun;

    /** Runs the unit's first statement as its own transaction; see {@link JdbcTwinStore#writeGuarded}. */
    JdbcStoreTx firstStatementAlone() {
        firstStatementAlone = true;
        return this;
    }

    private PreparedStatement prepare(String sql, Object... args) throws SQLException {
        if (firstStatementAlone && statementRun) {
            // the first statement wrote all or nothing and committed alone; what follows is one transaction
            firstStatementAlone = false;
            connection.setAutoCommit(false);
        }
        // counted before a held-back update is sent: sent now, it is not the unit's first statement alone
        statementRun = true;
        flush();
        PreparedStatement ps = cache != null ? cache.prepare(sql) : connection.prepareStatement(sql);
        try {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
        } catch (SQLException | RuntimeException e) {
            // the caller never received the statement, so it would stay open
            release(ps);
            throw e;
        }
        return ps;
    }
}
