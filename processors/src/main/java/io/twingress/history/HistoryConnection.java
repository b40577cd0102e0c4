package io.twingress.history;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.AdtError;
import io.twingress.Json;

/**
 * A data history connection, shaped like ADT's ({@code {"properties": {"connectionType": ..., "adxTableName": ...}}}):
 * which of ADT's tables it writes and under which names (a table named null is not written), whether removals are
 * recorded (with the {@code Action} column), where the rows go, and how long each table keeps them.
 */
public record HistoryConnection(String name, String propertyTable, String twinLifecycleTable,
        String relationshipLifecycleTable, boolean recordRemovals, Map<String, Duration> retention,
        Instant createdTime) {

    public static final String PROPERTY_EVENTS = "AdtPropertyEvents";
    public static final String TWIN_LIFECYCLE = "AdtTwinLifeCycleEvents";
    public static final String RELATIONSHIP_LIFECYCLE = "AdtRelationshipLifeCycleEvents";
    /** The sink this release writes to: tables in Twingress's own store (embedded SQLite or PostgreSQL). */
    public static final String EMBEDDED = "Embedded";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{1,48}[A-Za-z0-9]");
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Set<String> KEYS = Set.of("connectionType", "adxTableName",
            "adxTwinLifecycleEventsTableName", "adxRelationshipLifecycleEventsTableName",
            "recordPropertyAndItemRemovals", "retention", "provisioningState", "createdTime");

    /** The one a fresh installation has: every table under ADT's names, on the embedded sink, kept forever. */
    public static HistoryConnection defaults(String name, Instant createdTime) {
        return new HistoryConnection(name, PROPERTY_EVENTS, TWIN_LIFECYCLE, RELATIONSHIP_LIFECYCLE, false, Map.of(),
                createdTime);
    }

    public static HistoryConnection parse(String name, JsonNode body, Instant createdTime) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw AdtError.INVALID_ARGUMENT.with("The history connection name '" + name + "' is not valid: use 3 to"
                    + " 50 letters, digits and '-', not starting or ending with '-'.");
        }
        JsonNode p = body == null ? null : body.get("properties");
        if (!(p instanceof ObjectNode properties)) {
            throw AdtError.INVALID_ARGUMENT.with("The body must be {\"properties\": {\"connectionType\": \"Embedded\","
                    + " ...}}.");
        }
        for (Iterator<String> keys = properties.fieldNames(); keys.hasNext();) {
            String key = keys.next();
            if (!KEYS.contains(key)) {
                throw AdtError.INVALID_ARGUMENT.with("Unknown history connection property '" + key + "'; allowed: "
                        + String.join(", ", new java.util.TreeSet<>(KEYS)) + ".");
            }
        }
        String type = properties.path("connectionType").asText(EMBEDDED);
        if (!type.equals(EMBEDDED)) {
            throw AdtError.INVALID_ARGUMENT.with("connectionType '" + type + "' is not supported: this release writes"
                    + " history to the Embedded sink (Twingress's own store).");
        }
        String removals = properties.path("recordPropertyAndItemRemovals").asText("false");
        if (!removals.equals("true") && !removals.equals("false")) {
            throw AdtError.INVALID_ARGUMENT.with("recordPropertyAndItemRemovals must be \"true\" or \"false\".");
        }
        Map<String, Duration> retention = new TreeMap<>();
        JsonNode r = properties.get("retention");
        if (r != null && !r.isNull()) {
            if (!r.isObject()) {
                throw AdtError.INVALID_ARGUMENT.with("retention maps table names to ISO 8601 durations, e.g."
                        + " {\"AdtPropertyEvents\": \"P30D\"}.");
            }
            r.fields().forEachRemaining(e -> retention.put(e.getKey(), duration(e.getKey(), e.getValue())));
        }
        HistoryConnection connection = new HistoryConnection(name,
                table(properties, "adxTableName", PROPERTY_EVENTS),
                table(properties, "adxTwinLifecycleEventsTableName", TWIN_LIFECYCLE),
                table(properties, "adxRelationshipLifecycleEventsTableName", RELATIONSHIP_LIFECYCLE),
                removals.equals("true"), Map.copyOf(retention), createdTime);
        for (String table : retention.keySet()) {
            if (!table.equals(connection.propertyTable()) && !table.equals(connection.twinLifecycleTable())
                    && !table.equals(connection.relationshipLifecycleTable())) {
                throw AdtError.INVALID_ARGUMENT.with("retention names table '" + table + "', which this connection"
                        + " does not write.");
            }
        }
        return connection;
    }

    /** As GET returns it, and as it is stored. */
    public ObjectNode toResource() {
        ObjectNode resource = Json.object();
        resource.put("id", "/historyconnections/" + name);
        resource.put("name", name);
        resource.put("type", "Microsoft.DigitalTwins/digitalTwinsInstances/timeSeriesDatabaseConnections");
        ObjectNode p = resource.putObject("properties");
        p.put("connectionType", EMBEDDED);
        p.put("provisioningState", "Succeeded");
        p.put("createdTime", createdTime.toString());
        p.put("adxTableName", propertyTable);
        p.put("adxTwinLifecycleEventsTableName", twinLifecycleTable);
        p.put("adxRelationshipLifecycleEventsTableName", relationshipLifecycleTable);
        p.put("recordPropertyAndItemRemovals", Boolean.toString(recordRemovals));
        ObjectNode r = p.putObject("retention");
        retention.forEach((table, d) -> r.put(table, d.toString()));
        return resource;
    }

    public static HistoryConnection fromStored(String name, String stored) {
        JsonNode resource = Json.parse(stored);
        return parse(name, resource, Instant.parse(resource.at("/properties/createdTime").asText()));
    }

    private static String table(ObjectNode properties, String key, String fallback) {
        JsonNode value = properties.get(key);
        if (value == null) {
            return fallback;
        }
        if (value.isNull()) {
            return null;
        }
        if (!value.isTextual() || !TABLE.matcher(value.asText()).matches()) {
            throw AdtError.INVALID_ARGUMENT.with(key + " must be a table name (letters, digits and '_'), or null"
                    + " for none.");
        }
        return value.asText();
    }

    private static Duration duration(String table, JsonNode value) {
        try {
            Duration d = Duration.parse(value.asText());
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException();
            }
            return d;
        } catch (RuntimeException e) {
            throw AdtError.INVALID_ARGUMENT.with("retention of " + table + " must be a positive ISO 8601 duration"
                    + " such as P30D or PT12H.");
        }
    }
}
