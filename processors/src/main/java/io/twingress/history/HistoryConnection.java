package io.twingress.history;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.AdtError;
import io.twingress.Json;
import io.twingress.event.AuthenticationType;
import io.twingress.event.DeadLetter;
import io.twingress.event.EndpointLimits;
import io.twingress.event.EndpointSettings;
import io.twingress.event.EndpointSpec;
import io.twingress.event.EndpointType;
import io.twingress.event.KafkaConnection;
import io.twingress.event.RetryPolicy;
import io.twingress.model.DtdlParser;

/**
 * A data history connection, shaped like ADT's ({@code {"properties": {"connectionType": ..., "adxTableName": ...}}}):
 * which of ADT's tables it writes and under which names (a table named null is not written), whether removals are
 * recorded (with the {@code Action} column), which telemetry it historizes (beyond ADT: none unless asked, per model
 * and telemetry name, into its own table), where the rows go, and how long each table keeps them.
 *
 * <p>The rows go to the {@code Embedded} sink (tables in Twingress's own store, SQLite or PostgreSQL, queried
 * through {@code POST /history/query}) or to a {@code Kafka} topic (or an Event Hub through its Kafka endpoint) as
 * JSON lines that Azure Data Explorer's data connection ingests into the tables of the same names; a Kafka sink has
 * a Kafka endpoint's settings, retry policy and dead letter.
 *
 * @param kafka null for the embedded sink
 */
public record HistoryConnection(String name, String propertyTable, String twinLifecycleTable,
        String relationshipLifecycleTable, String telemetryTable, List<TelemetrySelection> telemetry,
        boolean recordRemovals, Map<String, Duration> retention, KafkaSink kafka, Instant createdTime) {

    public static final String PROPERTY_EVENTS = "AdtPropertyEvents";
    public static final String TWIN_LIFECYCLE = "AdtTwinLifeCycleEvents";
    public static final String RELATIONSHIP_LIFECYCLE = "AdtRelationshipLifeCycleEvents";
    public static final String TELEMETRY_EVENTS = "AdtTelemetryEvents";
    /** Tables in Twingress's own store (embedded SQLite or PostgreSQL). */
    public static final String EMBEDDED = "Embedded";
    /** A Kafka topic, or an Event Hub through its Kafka endpoint. */
    public static final String KAFKA = "Kafka";

    /** The telemetry of twins of one model to historize: the names given, or all when none are. */
    public record TelemetrySelection(String modelId, Set<String> names) {

        boolean takes(String model, String telemetryName) {
            return modelId.equals(model) && (names.isEmpty() || names.contains(telemetryName));
        }
    }

    /** Where a Kafka sink sends, how it retries, and where rows go when retrying has ended. */
    public record KafkaSink(KafkaConnection connection, RetryPolicy retryPolicy, DeadLetter deadLetter) {
    }

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{1,48}[A-Za-z0-9]");
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Set<String> KEYS = Set.of("connectionType", "adxTableName",
            "adxTwinLifecycleEventsTableName", "adxRelationshipLifecycleEventsTableName",
            "adxTelemetryEventsTableName", "telemetry", "recordPropertyAndItemRemovals", "retention",
            "provisioningState", "createdTime");
    /** A Kafka sink's settings, as a Kafka endpoint's. */
    private static final List<String> KAFKA_KEYS = List.of("bootstrapServers", "topic", "securityProtocol",
            "saslMechanism", "saslUsername", "saslPassword", "connectionString", "retryPolicy", "deadLetter");

    /** The one a fresh installation has: every table under ADT's names, on the embedded sink, kept forever. */
    public static HistoryConnection defaults(String name, Instant createdTime) {
        return new HistoryConnection(name, PROPERTY_EVENTS, TWIN_LIFECYCLE, RELATIONSHIP_LIFECYCLE, null, List.of(),
                false, Map.of(), null, createdTime);
    }

    /**
     * Parses a PUT body.
     *
     * @param limits the range a Kafka sink's {@code retryPolicy.timeToLive} must fall in, as an endpoint's
     */
    public static HistoryConnection parse(String name, JsonNode body, EndpointLimits limits, Instant createdTime) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw AdtError.INVALID_ARGUMENT.with("The history connection name '" + name + "' is not valid: use 3 to"
                    + " 50 letters, digits and '-', not starting or ending with '-'.");
        }
        if (body != null && body.isObject()) {
            // the resource's read-only members may come back as a GET gave them; anything else is a mistake
            for (Iterator<String> keys = body.fieldNames(); keys.hasNext();) {
                String key = keys.next();
                if (!List.of("properties", "id", "name", "type").contains(key)) {
                    throw AdtError.INVALID_ARGUMENT.with(key + " is not a member of a history connection resource"
                            + " (properties; id, name and type are read-only).");
                }
            }
            JsonNode bodyName = body.get("name");
            if (bodyName != null && !bodyName.isNull() && !bodyName.asText().equals(name)) {
                throw AdtError.INVALID_ARGUMENT.with("name in the body differs from the history connection name in"
                        + " the path ('" + name + "'); leave it out or make them agree.");
            }
        }
        JsonNode p = body == null ? null : body.get("properties");
        if (!(p instanceof ObjectNode properties)) {
            throw AdtError.INVALID_ARGUMENT.with("The body must be {\"properties\": {\"connectionType\": \"Embedded\","
                    + " ...}}.");
        }
        String type = properties.path("connectionType").asText(EMBEDDED);
        if (!type.equals(EMBEDDED) && !type.equals(KAFKA)) {
            throw AdtError.INVALID_ARGUMENT.with("connectionType '" + type + "' is not supported: use Embedded"
                    + " (Twingress's own store) or Kafka (a Kafka topic or an Event Hub, as JSON lines for Azure Data"
                    + " Explorer).");
        }
        Set<String> allowed = new TreeSet<>(KEYS);
        if (type.equals(KAFKA)) {
            allowed.addAll(KAFKA_KEYS);
        }
        for (Iterator<String> keys = properties.fieldNames(); keys.hasNext();) {
            String key = keys.next();
            if (!allowed.contains(key)) {
                throw AdtError.INVALID_ARGUMENT.with("Unknown property '" + key + "' for a " + type + " history"
                        + " connection; allowed: " + String.join(", ", allowed) + ".");
            }
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
        List<TelemetrySelection> telemetry = telemetry(properties.get("telemetry"));
        HistoryConnection connection = new HistoryConnection(name,
                table(properties, "adxTableName", PROPERTY_EVENTS),
                table(properties, "adxTwinLifecycleEventsTableName", TWIN_LIFECYCLE),
                table(properties, "adxRelationshipLifecycleEventsTableName", RELATIONSHIP_LIFECYCLE),
                telemetry.isEmpty() ? null : table(properties, "adxTelemetryEventsTableName", TELEMETRY_EVENTS),
                telemetry, removals.equals("true"), Map.copyOf(retention),
                type.equals(KAFKA) ? kafka(name, properties, limits, createdTime) : null, createdTime);
        Set<String> tables = new TreeSet<>();
        for (String table : Arrays.asList(connection.propertyTable(), connection.twinLifecycleTable(),
                connection.relationshipLifecycleTable(), connection.telemetryTable())) {
            // for new connections only: one stored before keeps its (unqueryable) rows rather than stopping the feed
            if (table != null && !tables.add(table.toLowerCase(Locale.ROOT)) && limits != EndpointLimits.ANY) {
                throw AdtError.INVALID_ARGUMENT.with("The table name '" + table + "' is given to two kinds of rows;"
                        + " each kind needs a table of its own, or its rows cannot be told apart.");
            }
        }
        if (connection.kafka() != null && !retention.isEmpty()) {
            throw AdtError.INVALID_ARGUMENT.with("retention applies to the Embedded sink's tables; a Kafka sink's"
                    + " rows are kept as long as their consumer (Azure Data Explorer's table retention) keeps them.");
        }
        for (String table : retention.keySet()) {
            if (!table.equals(connection.propertyTable()) && !table.equals(connection.twinLifecycleTable())
                    && !table.equals(connection.relationshipLifecycleTable())
                    && !table.equals(connection.telemetryTable())) {
                throw AdtError.INVALID_ARGUMENT.with("retention names table '" + table + "', which this connection"
                        + " does not write.");
            }
        }
        return connection;
    }

    /** The Kafka sink's settings, read as a Kafka endpoint's, so that they are checked and kept as one's. */
    private static KafkaSink kafka(String name, ObjectNode properties, EndpointLimits limits, Instant createdTime) {
        ObjectNode endpoint = Json.object();
        ObjectNode p = endpoint.putObject("properties");
        p.put("endpointType", EndpointType.Kafka.name());
        for (String key : KAFKA_KEYS) {
            if (properties.has(key)) {
                p.set(key, properties.get(key));
            }
        }
        if (!properties.has("deadLetter")) {
            p.putObject("deadLetter").put("type", DeadLetter.Type.None.name());
        }
        EndpointSpec spec = EndpointSpec.parse(name, endpoint, limits, createdTime);
        DeadLetter.Type deadLetter = spec.deadLetter().type();
        if (deadLetter != DeadLetter.Type.Files && deadLetter != DeadLetter.Type.None) {
            throw AdtError.INVALID_ARGUMENT.with("properties.deadLetter.type " + deadLetter + " is for endpoints; a"
                    + " history connection's dead letters go to Files (with a directory) or None (the default).");
        }
        return new KafkaSink(((EndpointSettings.Kafka) spec.settings()).connection(), spec.retryPolicy(),
                spec.deadLetter());
    }

    private static List<TelemetrySelection> telemetry(JsonNode node) {
        String form = "telemetry is a list of {\"modelId\": \"dtmi:...;1\", \"names\": [\"Temperature\", ...]}; without"
                + " names, every telemetry of twins of that model is historized";
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw AdtError.INVALID_ARGUMENT.with(form + ".");
        }
        List<TelemetrySelection> selections = new ArrayList<>();
        for (JsonNode item : node) {
            JsonNode model = item.path("modelId");
            JsonNode names = item.path("names");
            boolean namesValid = names.isMissingNode() || names.isNull() || names.isArray();
            if (!item.isObject() || !model.isTextual() || !DtdlParser.isDtmi(model.asText()) || !namesValid
                    || item.size() > (names.isMissingNode() ? 1 : 2)) {
                throw AdtError.INVALID_ARGUMENT.with(form + "; " + Json.write(item) + " is not one.");
            }
            Set<String> named = new TreeSet<>();
            for (JsonNode n : names.isArray() ? names : Json.MAPPER.createArrayNode()) {
                if (!n.isTextual() || n.asText().isEmpty()) {
                    throw AdtError.INVALID_ARGUMENT.with(form + "; names must be strings.");
                }
                named.add(n.asText());
            }
            selections.add(new TelemetrySelection(model.asText(), Set.copyOf(named)));
        }
        return List.copyOf(selections);
    }

    /** True if the connection historizes this telemetry of a twin of this model. */
    public boolean historizes(String modelId, String telemetryName) {
        if (telemetryTable == null || modelId == null) {
            return false;
        }
        for (TelemetrySelection selection : telemetry) {
            if (selection.takes(modelId, telemetryName)) {
                return true;
            }
        }
        return false;
    }

    /** The same connection, created at another time (a replaced connection keeps its first creation time). */
    public HistoryConnection withCreatedTime(Instant time) {
        return new HistoryConnection(name, propertyTable, twinLifecycleTable, relationshipLifecycleTable, telemetryTable,
                telemetry, recordRemovals, retention, kafka, time);
    }

    /** As GET returns it: a Kafka sink's secrets are present as null. */
    public ObjectNode toResource() {
        return toJson(false);
    }

    /** The form kept in the store, secrets included; {@link #fromStored} reads it back. */
    public String toStored() {
        return Json.write(toJson(true));
    }

    private ObjectNode toJson(boolean secrets) {
        ObjectNode resource = Json.object();
        resource.put("id", "/historyconnections/" + name);
        resource.put("name", name);
        resource.put("type", "Microsoft.DigitalTwins/digitalTwinsInstances/timeSeriesDatabaseConnections");
        ObjectNode p = resource.putObject("properties");
        p.put("connectionType", kafka == null ? EMBEDDED : KAFKA);
        p.put("provisioningState", "Succeeded");
        p.put("createdTime", createdTime.toString());
        p.put("adxTableName", propertyTable);
        p.put("adxTwinLifecycleEventsTableName", twinLifecycleTable);
        p.put("adxRelationshipLifecycleEventsTableName", relationshipLifecycleTable);
        if (telemetryTable != null) {
            p.put("adxTelemetryEventsTableName", telemetryTable);
            ArrayNode selections = p.putArray("telemetry");
            for (TelemetrySelection t : telemetry) {
                ObjectNode selection = selections.addObject().put("modelId", t.modelId());
                t.names().stream().sorted().forEach(selection.putArray("names")::add);
            }
        }
        p.put("recordPropertyAndItemRemovals", Boolean.toString(recordRemovals));
        if (kafka != null) {
            EndpointSpec spec = new EndpointSpec(name, AuthenticationType.KeyBased,
                    new EndpointSettings.Kafka(kafka.connection(), EndpointSettings.ContentMode.BINARY),
                    kafka.retryPolicy(), kafka.deadLetter(), createdTime);
            JsonNode endpoint = secrets ? Json.parse(spec.toStored()).get("properties")
                    : spec.toResource().get("properties");
            KAFKA_KEYS.forEach(key -> p.set(key, endpoint.get(key)));
        }
        ObjectNode r = p.putObject("retention");
        retention.forEach((table, d) -> r.put(table, d.toString()));
        return resource;
    }

    public static HistoryConnection fromStored(String name, String stored) {
        JsonNode resource = Json.parse(stored);
        return parse(name, resource, EndpointLimits.ANY,
                Instant.parse(resource.at("/properties/createdTime").asText()));
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
