package io.twingress.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.SortedMap;

/**
 * The operations of one unit of work. Methods named {@code ...ForUpdate} lock the row until the unit ends, so
 * that writes to one twin are serialized; {@link #twinForShare} keeps a twin from being deleted meanwhile.
 */
public interface StoreTx {

    // models

    /** The version of the model set as this unit sees it; every unit that changes models moves it on. */
    long modelsVersion();

    /**
     * Moves the model-set version on and returns the new value, holding the models lock until the unit ends. A unit
     * must call it before it inserts, decommissions or deletes a model: the units that change models then run one
     * at a time across every instance sharing the store, and each sees the model set its predecessor committed.
     */
    long lockModels();

    void insertModel(StoredModel model);

    StoredModel model(String id);

    /** Every model in upload order. */
    List<StoredModel> models();

    void updateModelDecommissioned(String id, boolean decommissioned);

    void deleteModel(String id);

    // twins

    StoredTwin twin(String id);

    /** Ids of the twins whose top-level property {@code property} is the string {@code value}, in id order. */
    List<String> twinIdsWhere(String property, String value, int limit);

    StoredTwin twinForUpdate(String id);

    /** The twins among these ids that exist, in no particular order. */
    List<StoredTwin> twinsById(Collection<String> ids);

    StoredTwin twinForShare(String id);

    void insertTwin(StoredTwin twin);

    void updateTwin(StoredTwin twin);

    /**
     * Updates the twin only if its stored etag is still {@code etag} and the model set's version still
     * {@code modelsVersion}, in one statement; false if either moved (then nothing changed): two reads and an update
     * in one.
     */
    boolean updateTwinIfUnchanged(StoredTwin twin, String etag, long modelsVersion);

    /**
     * As {@link #updateTwinIfUnchanged(StoredTwin, String, long)}, and appends the update's event only if the twin was
     * updated; on PostgreSQL both in one statement (one round trip).
     */
    default boolean updateTwinIfUnchanged(StoredTwin twin, String etag, long modelsVersion, OutboxEvent event) {
        if (!updateTwinIfUnchanged(twin, etag, modelsVersion)) {
            return false;
        }
        appendEvent(event);
        return true;
    }

    void deleteTwin(String id);

    /** Twins ordered by id, after {@code afterId} (null: from the start); {@code modelIds} null means any model. */
    default List<StoredTwin> twins(Collection<String> modelIds, String afterId, int limit) {
        return twins(modelIds, List.of(), afterId, limit);
    }

    /** As {@link #twins(Collection, String, int)}; the store may also use the bounds to skip twins. */
    List<StoredTwin> twins(Collection<String> modelIds, List<NumericBound> bounds, String afterId, int limit);

    long countTwins(Collection<String> modelIds);

    // relationships

    StoredRelationship relationship(String sourceId, String id);

    StoredRelationship relationshipForUpdate(String sourceId, String id);

    void insertRelationship(StoredRelationship relationship);

    void updateRelationship(StoredRelationship relationship);

    void deleteRelationship(String sourceId, String id);

    /** Outgoing relationships ordered by id after {@code afterId}; {@code names} null or empty means all. */
    List<StoredRelationship> outgoing(String sourceId, Collection<String> names, String afterId, int limit);

    /** Incoming relationships ordered by (source, id) after the given position; {@code names} null means all. */
    List<StoredRelationship> incoming(String targetId, Collection<String> names, String afterSourceId,
            String afterId, int limit);

    /** All relationships ordered by (source, id) after the given position. */
    List<StoredRelationship> relationships(String afterSourceId, String afterId, int limit);

    /** True if the twin is the source or the target of any relationship. */
    boolean hasRelationships(String twinId);

    // ingress

    /** Records a message id within a scope; false if it was already recorded (a duplicate). */
    boolean markSeen(String scope, String messageId);

    /** What {@link #replayIfUnchanged} did. */
    enum Replay {
        /** The message id was recorded before: nothing was written. */
        DUPLICATE,
        /** The id is recorded now, but the twin's etag or the model set's version moved: nothing else was written. */
        STALE,
        /** The id is recorded, the twin updated and the event appended. */
        APPLIED
    }

    /**
     * An ingress message's change worked out ahead, written in one step: records the message id ({@link #markSeen});
     * if it was new, updates the twin as {@link #updateTwinIfUnchanged} does; if that wrote, appends the event. On
     * PostgreSQL it is one statement, where the three are a round trip each.
     */
    default Replay replayIfUnchanged(String scope, String messageId, StoredTwin twin, String etag, long modelsVersion,
            OutboxEvent event) {
        if (!markSeen(scope, messageId)) {
            return Replay.DUPLICATE;
        }
        if (!updateTwinIfUnchanged(twin, etag, modelsVersion)) {
            return Replay.STALE;
        }
        appendEvent(event);
        return Replay.APPLIED;
    }

    /** One message's {@link #replayIfUnchanged}, for {@link #replayAll}. */
    record ReplayRequest(String scope, String messageId, StoredTwin twin, String etag, long modelsVersion,
            OutboxEvent event) {
    }

    /**
     * {@link #replayIfUnchanged} for each request, in their order, with what each did; except that a STALE one leaves
     * its id unrecorded too, so that whoever works the message out again records it with the rest of its change. On
     * PostgreSQL two round trips for all of them (the ids, then the updates with their events, and a third to forget
     * the stale ones' ids if there are any), where one each would be as many as requests.
     */
    default List<Replay> replayAll(List<ReplayRequest> requests) {
        List<Replay> done = new ArrayList<>(requests.size());
        for (ReplayRequest r : requests) {
            Replay replay = replayIfUnchanged(r.scope(), r.messageId(), r.twin(), r.etag(), r.modelsVersion(),
                    r.event());
            if (replay == Replay.STALE) {
                forgetSeen(r.scope(), r.messageId());
            }
            done.add(replay);
        }
        return done;
    }

    /** Forgets a message id {@link #markSeen} recorded in this unit. */
    void forgetSeen(String scope, String messageId);

    /** Forgets up to {@code limit} message ids recorded before {@code before}; returns how many. */
    int pruneSeen(Instant before, int limit);

    // outbox: the events a unit's changes caused, committed with them

    void appendEvent(OutboxEvent event);

    /**
     * Up to {@code limit} events after {@code after} in commit order. Only events of transactions that finished
     * before every running one are returned, so an event never appears behind a position already read past.
     */
    List<OutboxEvent> eventsAfter(OutboxPosition after, int limit);

    /** The position of the last event {@link #eventsAfter} can return now; {@link OutboxPosition#START} if none. */
    OutboxPosition outboxHead();

    /**
     * Where a new consumer starts: after the last event committed now, beyond {@link #outboxHead} when a transaction
     * that began earlier is still running. A consumer started at the head would later read what was committed
     * before it existed, above that transaction; started here, it reads what commits afterwards. On PostgreSQL
     * positions follow transaction ids, not commit order: a transaction still running now with a lower id than the
     * last committed event's is not read by the new consumer, and one running with a higher id is.
     */
    OutboxPosition outboxEnd();

    /** Deletes up to {@code limit} events at or before {@code upTo}; returns how many. */
    int pruneEvents(OutboxPosition upTo, int limit);

    OutboxCursor cursor(String consumer);

    /** Every consumer's cursor, by name. */
    List<OutboxCursor> cursors();

    /** Creates a consumer's cursor at {@code position} unless it exists. */
    void createCursor(String consumer, OutboxPosition position);

    /**
     * Gives the consumer to {@code owner} until {@code leaseUntil} if it holds it already or the last holder's
     * lease ran out by {@code now}; false if another instance holds it.
     */
    boolean leaseCursor(String consumer, String owner, long now, long leaseUntil);

    /** Lets go of the consumer if {@code owner} holds it, so that another instance may take it at once. */
    void releaseCursor(String consumer, String owner);

    /** Moves the consumer on to {@code position} if {@code owner} still holds it; false otherwise. */
    boolean advanceCursor(String consumer, String owner, OutboxPosition position);

    void deleteCursor(String consumer);

    // egress settings: endpoints and event routes, each a name and its JSON

    void putEndpoint(String name, String spec);

    /** The stored spec, or null. */
    String endpoint(String name);

    /** Endpoints ordered by name after {@code afterName} (null: from the start), as name → spec. */
    SortedMap<String, String> endpoints(String afterName, int limit);

    boolean deleteEndpoint(String name);

    void putEventRoute(String id, String endpointName, String body);

    /** The stored route body, or null. */
    String eventRoute(String id);

    /** Routes ordered by id after {@code afterId}, as id → body; {@code endpointName} null means every endpoint. */
    SortedMap<String, String> eventRoutes(String endpointName, String afterId, int limit);

    boolean deleteEventRoute(String id);

    // dead letters

    void insertDeadLetter(DeadLetterRow row);

    /** An endpoint's dead letters after {@code afterId} in the order they were recorded. */
    List<DeadLetterRow> deadLetters(String endpoint, long afterId, int limit);

    /** Those of an endpoint's dead letters whose event ids are given (all if {@code eventIds} is null). */
    List<DeadLetterRow> deadLettersByEvent(String endpoint, Collection<String> eventIds, int limit);

    /** Deletes dead letters by row id; returns how many. */
    int deleteDeadLetters(Collection<Long> ids);

    long countDeadLetters(String endpoint);

    // ingress dead letters

    void insertIngressDeadLetter(IngressDeadLetterRow row);

    /**
     * Records that the letter {@code id} was replayed at {@code time} and refused again for {@code reason}; false if
     * there is no such letter (purged meanwhile).
     */
    boolean refusedAgain(long id, String reason, String time);

    /** Ingress dead letters after {@code afterId} in the order they were recorded. */
    List<IngressDeadLetterRow> ingressDeadLetters(long afterId, int limit);

    /** Those with the given ids, in id order. */
    List<IngressDeadLetterRow> ingressDeadLettersById(Collection<Long> ids);

    int deleteIngressDeadLetters(Collection<Long> ids);

    // data history on the embedded sink

    void putHistoryConnection(String name, String spec);

    /** History connections by name, as name -> spec. */
    SortedMap<String, String> historyConnections(String afterName, int limit);

    boolean deleteHistoryConnection(String name);

    /** Rows of a value table, in one batch; a telemetry row's relationship columns and action are not kept. */
    void insertValueRows(HistoryRows.ValueTable table, List<HistoryRows.PropertyEvent> rows);

    void insertTwinLifecycle(HistoryRows.TwinLifecycle row);

    void insertRelationshipLifecycle(HistoryRows.RelationshipLifecycle row);

    /**
     * A connection's rows of a value table for these twins (all if null) and keys (all if null or empty), with
     * {@code from <= time_stamp < to} (RFC 3339 UTC text, which orders as time), after row {@code afterId}, in row
     * order.
     */
    List<HistoryRows.PropertyEvent> propertyEvents(HistoryRows.ValueTable table, String connection,
            Collection<String> twinIds, Collection<String> keys, String from, String to, long afterId, int limit);

    /**
     * One twin's values in a value table with {@code from <= time_stamp < to} (of these keys, all if null or empty), in
     * time order, at most {@code limit}.
     */
    List<HistoryRows.Value> twinValues(HistoryRows.ValueTable table, String connection, String twinId,
            Collection<String> keys, String from, String to, int limit);

    /** Deletes up to {@code limit} rows of a history table older than {@code before}; returns how many. */
    int pruneHistory(String table, String connection, String before, int limit);
}
