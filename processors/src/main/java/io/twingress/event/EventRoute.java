package io.twingress.event;

import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.AdtError;
import io.twingress.Json;

/**
 * An event route as ADT's data plane has it: an id, the endpoint it sends to and a filter. Beyond ADT, a route may
 * ask for an update's state after the change ({@code includeState}) and the values it replaced
 * ({@code includePreviousValues}); they arrive in the event's data as {@code $state} and {@code $previous}.
 */
public record EventRoute(String id, String endpointName, EventFilter filter, boolean includeState,
        boolean includePreviousValues) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Set<String> FIELDS = Set.of("id", "endpointName", "filter", "includeState",
            "includePreviousValues");

    /** True if a route may have {@code id}: 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit. */
    public static boolean validId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** Checks an id from the path ({@link #validId}). */
    public static String checkId(String id) {
        if (!validId(id)) {
            throw AdtError.INVALID_ARGUMENT.with("The event route id '" + id + "' is not valid: use 1 to 64 letters,"
                    + " digits, '-', '_' or '.', starting with a letter or digit.");
        }
        return id;
    }

    /** Parses a PUT body: {@code {"endpointName": ..., "filter": ...}}, and Twingress's two options. */
    public static EventRoute parse(String id, JsonNode body) {
        checkId(id);
        if (!(body instanceof ObjectNode object)) {
            throw AdtError.INVALID_ARGUMENT.with("The event route must be a JSON object with endpointName and"
                    + " filter.");
        }
        for (Iterator<String> names = object.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw AdtError.INVALID_ARGUMENT.with("Unknown event route property '" + name + "'; allowed: "
                        + String.join(", ", FIELDS.stream().sorted().toList()) + ".");
            }
        }
        if (object.has("id") && !(object.get("id").isTextual() && object.get("id").asText().equals(id))
                && !object.get("id").isNull()) {
            throw AdtError.INVALID_ARGUMENT.with("The body's id does not match the event route id '" + id
                    + "' in the path.");
        }
        String endpointName = text(object, "endpointName");
        String filter = text(object, "filter");
        return new EventRoute(id, endpointName, EventFilter.parse(filter), flag(object, "includeState"),
                flag(object, "includePreviousValues"));
    }

    /** As GET returns it, and as it is stored. */
    public ObjectNode toJson() {
        ObjectNode json = Json.object().put("id", id).put("endpointName", endpointName).put("filter", filter.text());
        if (includeState) {
            json.put("includeState", true);
        }
        if (includePreviousValues) {
            json.put("includePreviousValues", true);
        }
        return json;
    }

    public static EventRoute fromStored(String id, String body) {
        return parse(id, Json.parse(body));
    }

    private static String text(ObjectNode object, String name) {
        JsonNode value = object.get(name);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw AdtError.INVALID_ARGUMENT.with("The event route needs " + name + " as a non-empty string.");
        }
        return value.asText();
    }

    private static boolean flag(ObjectNode object, String name) {
        JsonNode value = object.get(name);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw AdtError.INVALID_ARGUMENT.with("The event route's " + name + " must be true or false.");
        }
        return value.booleanValue();
    }
}
