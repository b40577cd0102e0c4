package io.twingress.history;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.Json;
import io.twingress.store.HistoryRows;

/**
 * History rows as Azure Data Explorer's tables for ADT have them: the column names of ADT's data history (reference
 * §6), {@code Value} as JSON (ADX's {@code dynamic}). The history query answers with them, and the Kafka sink sends
 * them as JSON lines that an ADX data connection ingests with an identity mapping.
 */
final class AdxColumns {

    private AdxColumns() {
    }

    static ObjectNode value(HistoryRows.ValueTable table, HistoryRows.PropertyEvent r) {
        ObjectNode row = Json.object();
        row.put("TimeStamp", r.timeStamp());
        row.put("SourceTimeStamp", r.sourceTimeStamp());
        row.put("ServiceId", r.serviceId());
        row.put("Id", r.twinId());
        row.put("ModelId", r.modelId());
        row.put("Key", r.key());
        row.set("Value", r.value() == null ? Json.MAPPER.nullNode() : Json.parse(r.value()));
        if (table == HistoryRows.ValueTable.PROPERTY) {
            row.put("RelationshipTarget", r.relationshipTarget());
            row.put("RelationshipId", r.relationshipId());
        }
        if (r.action() != null) {
            row.put("Action", r.action());
        }
        return row;
    }

    static ObjectNode twinLifecycle(HistoryRows.TwinLifecycle r) {
        ObjectNode row = Json.object();
        row.put("TwinId", r.twinId());
        row.put("Action", r.action());
        row.put("TimeStamp", r.timeStamp());
        row.put("ServiceId", r.serviceId());
        row.put("ModelId", r.modelId());
        return row;
    }

    static ObjectNode relationshipLifecycle(HistoryRows.RelationshipLifecycle r) {
        ObjectNode row = Json.object();
        row.put("RelationshipId", r.relationshipId());
        row.put("Name", r.name());
        row.put("Action", r.action());
        row.put("TimeStamp", r.timeStamp());
        row.put("ServiceId", r.serviceId());
        row.put("Source", r.source());
        row.put("Target", r.target());
        return row;
    }
}
