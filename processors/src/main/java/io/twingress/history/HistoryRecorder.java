package io.twingress.history;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.twingress.Instants;
import io.twingress.Json;
import io.twingress.event.EventTypes;
import io.twingress.store.HistoryRows;
import io.twingress.store.OutboxEvent;
import io.twingress.store.StoreTx;

import static io.twingress.store.HistoryRows.ValueTable.PROPERTY;
import static io.twingress.store.HistoryRows.ValueTable.TELEMETRY;

/**
 * Turns committed change events into ADT's data-history rows for one connection: a twin or relationship update gives
 * one property row per changed property (a component's as {@code component.property}, its source time from the same
 * patch), a create one row per property it was created with plus its lifecycle row, a delete its lifecycle row.
 * Removals are rows with {@code Action} {@code Remove} only when the connection records them. Telemetry is
 * historized (beyond ADT) only as the connection selects it, one row per top-level field of an object payload: its
 * {@code TimeStamp} is when it arrived, its {@code SourceTimeStamp} the sender's time (or the arrival without one).
 */
final class HistoryRecorder {

    private static final String TWINS = "/digitaltwins/";

    private HistoryRecorder() {
    }

    /** Reads the store (relationship targets) through {@code tx}; writes the rows to {@code sink}. */
    static void record(StoreTx tx, HistoryConnection connection, OutboxEvent event, HistoryRowSink sink) {
        if (event.onlyFor() != null) {
            return;
        }
        String type = event.type();
        if (type.equals(EventTypes.TELEMETRY)) {
            telemetryRows(connection, event, sink);
            return;
        }
        String time = HistoryTime.format(Instants.parse(event.time()));
        JsonNode data = Json.parse(event.data());
        String subject = event.subject();
        boolean relationship = type.startsWith("Microsoft.DigitalTwins.Relationship.");
        String twinId = relationship ? data.path("$sourceId").asText(subject) : subject;
        String relId = relationship ? data.path("$relationshipId").asText(null) : null;
        String target = relationship ? data.path("$targetId").asText(null) : null;
        switch (type) {
            case EventTypes.TWIN_CREATE, EventTypes.TWIN_DELETE -> {
                String action = type.equals(EventTypes.TWIN_CREATE) ? "Create" : "Delete";
                String modelId = data.path("$metadata").path("$model").asText(null);
                if (connection.twinLifecycleTable() != null) {
                    sink.twinLifecycle(new HistoryRows.TwinLifecycle(0, connection.name(), subject, action,
                            time, event.source(), modelId));
                }
                if (action.equals("Create")) {
                    propertiesOf(sink, connection, event, time, data, subject, modelId, null, null);
                }
            }
            case EventTypes.RELATIONSHIP_CREATE, EventTypes.RELATIONSHIP_DELETE -> {
                String action = type.equals(EventTypes.RELATIONSHIP_CREATE) ? "Create" : "Delete";
                if (connection.relationshipLifecycleTable() != null) {
                    sink.relationshipLifecycle(new HistoryRows.RelationshipLifecycle(0, connection.name(), relId,
                            data.path("$relationshipName").asText(), action, time, event.source(), twinId,
                            target));
                }
                if (action.equals("Create")) {
                    propertiesOf(sink, connection, event, time, data, twinId, null, target, relId);
                }
            }
            case EventTypes.TWIN_UPDATE, EventTypes.RELATIONSHIP_UPDATE -> {
                if (relationship) {
                    // the relationship's id and target are in its subject: <source>/relationships/<id>
                    int cut = subject.lastIndexOf("/relationships/");
                    twinId = subject.substring(0, cut);
                    relId = subject.substring(cut + "/relationships/".length());
                }
                patchRows(tx, sink, connection, event, time, data, twinId, relId);
            }
            default -> {
                // no other event changes history
            }
        }
    }

    private static void patchRows(StoreTx tx, HistoryRowSink sink, HistoryConnection connection, OutboxEvent event, String time,
            JsonNode data, String twinId, String relId) {
        if (connection.propertyTable() == null) {
            return;
        }
        String modelId = data.path("modelId").asText(null);
        List<JsonNode> ops = new ArrayList<>();
        data.path("patch").forEach(ops::add);
        for (JsonNode op : ops) {
            String path = op.path("path").asText();
            if (path.contains("$metadata")) {
                continue;
            }
            boolean removal = op.path("op").asText().equals("remove");
            if (removal && !connection.recordRemovals()) {
                continue;
            }
            String key = path.substring(1).replace('/', '.').replace("~1", "/").replace("~0", "~");
            sink.value(PROPERTY, new HistoryRows.PropertyEvent(0, connection.name(), time,
                    sourceTime(ops, path), event.source(), twinId, modelId, key,
                    removal ? null : Json.write(op.path("value")), relId == null ? null : relationshipTarget(tx,
                            twinId, relId), relId, connection.recordRemovals() ? action(op) : null));
        }
    }

    private static void propertiesOf(HistoryRowSink sink, HistoryConnection connection, OutboxEvent event, String time,
            JsonNode body, String twinId, String modelId, String target, String relId) {
        if (connection.propertyTable() == null) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = body.fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getKey().startsWith("$")) {
                continue;
            }
            if (f.getValue().isObject() && f.getValue().has("$metadata")) {
                // a component: each of its properties
                for (Iterator<Map.Entry<String, JsonNode>> c = f.getValue().fields(); c.hasNext();) {
                    Map.Entry<String, JsonNode> p = c.next();
                    if (!p.getKey().startsWith("$")) {
                        sink.value(PROPERTY, new HistoryRows.PropertyEvent(0, connection.name(), time,
                                historyTime(f.getValue().path("$metadata").path(p.getKey()).path("sourceTime")),
                                event.source(), twinId, modelId, f.getKey() + "." + p.getKey(),
                                Json.write(p.getValue()), target, relId, connection.recordRemovals() ? "Add" : null));
                    }
                }
                continue;
            }
            sink.value(PROPERTY, new HistoryRows.PropertyEvent(0, connection.name(), time,
                    historyTime(body.path("$metadata").path(f.getKey()).path("sourceTime")), event.source(), twinId,
                    modelId, f.getKey(), Json.write(f.getValue()), target, relId,
                    connection.recordRemovals() ? "Add" : null));
        }
    }

    /**
     * A telemetry event's source is {@code <service>/digitaltwins/<twin>}, its subject the component (or none), its
     * dataschema the model it was sent against.
     */
    private static void telemetryRows(HistoryConnection connection, OutboxEvent event, HistoryRowSink sink) {
        if (connection.telemetryTable() == null) {
            return;
        }
        int cut = event.source().lastIndexOf(TWINS);
        if (cut < 0) {
            return;
        }
        JsonNode payload;
        try {
            payload = Json.parse(event.data());
        } catch (IllegalArgumentException e) {
            return;
        }
        String service = event.source().substring(0, cut);
        String twinId = event.source().substring(cut + TWINS.length());
        String prefix = event.subject() == null ? "" : event.subject() + ".";
        String time = HistoryTime.format(Instant.ofEpochMilli(event.recorded()));
        String sourceTime = HistoryTime.format(Instants.parse(event.time()));
        for (Iterator<Map.Entry<String, JsonNode>> fields = payload.fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (connection.historizes(event.dataschema(), f.getKey())) {
                sink.value(TELEMETRY, new HistoryRows.PropertyEvent(0, connection.name(), time, sourceTime,
                        service, twinId, event.dataschema(), prefix + f.getKey(), Json.write(f.getValue()), null,
                        null, null));
            }
        }
    }

    /** A relationship update's event names no target; the stored relationship does. */
    private static String relationshipTarget(StoreTx tx, String sourceId, String relId) {
        var rel = tx.relationship(sourceId, relId);
        return rel == null ? null : rel.targetId();
    }

    private static String sourceTime(List<JsonNode> ops, String path) {
        int slash = path.lastIndexOf('/');
        String metadata = (slash == 0 ? "/$metadata" + path : path.substring(0, slash) + "/$metadata"
                + path.substring(slash)) + "/sourceTime";
        for (JsonNode op : ops) {
            if (op.path("path").asText().equals(metadata)) {
                return historyTime(op.path("value"));
            }
        }
        return null;
    }

    /**
     * A sender's time as the history's own times are written ({@link HistoryTime}: UTC, nine fraction digits), so
     * that {@code SourceTimeStamp} compares and sorts as text whatever offset or precision the sender wrote; text
     * that is not a time (a twin's metadata is checked when written, so only a hand-made event has it) is kept.
     */
    private static String historyTime(JsonNode sent) {
        String text = sent.asText(null);
        if (text == null) {
            return null;
        }
        try {
            return HistoryTime.format(Instants.parse(text));
        } catch (DateTimeException e) {
            return text;
        }
    }

    private static String action(JsonNode op) {
        return switch (op.path("op").asText()) {
            case "add" -> "Add";
            case "remove" -> "Remove";
            default -> "Update";
        };
    }
}
