package io.twingress.twin;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.AdtError;
import io.twingress.Json;
import io.twingress.model.Content;
import io.twingress.model.InterfaceModel;

/**
 * A twin's {@code $metadata} as ADT keeps it: the model, the twin's and each component's last update time, and per
 * property a last update time and an optional source time. Property paths are {@code "p"} or {@code "component/p"}.
 */
public final class TwinMetadata {

    static final String METADATA = "$metadata";

    private TwinMetadata() {
    }

    /**
     * Builds the stored twin: system properties, content, and metadata where every touched property gets a new
     * lastUpdateTime and the rest keep theirs; a source time stays until it is set again.
     */
    static ObjectNode assemble(String id, String etag, InterfaceModel model, ObjectNode content,
            ObjectNode oldMetadata, Set<String> touched, Map<String, String> sourceTimes, String now) {
        ObjectNode twin = Json.object();
        twin.put("$dtId", id);
        twin.put("$etag", etag);
        ObjectNode metadata = Json.object();
        metadata.put("$model", model.id());
        metadata.put("$lastUpdateTime", now);
        for (Iterator<Map.Entry<String, JsonNode>> it = content.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            if (model.content(name) instanceof Content.Component && field.getValue() instanceof ObjectNode component) {
                twin.set(name, componentWithMetadata(name, component, touched, sourceTimes, now));
            } else {
                twin.set(name, field.getValue());
                metadata.set(name, propertyMetadata(oldMetadata.path(name), touched.contains(name),
                        sourceTimes.get(name), now));
            }
        }
        twin.set(METADATA, metadata);
        return twin;
    }

    private static ObjectNode componentWithMetadata(String name, ObjectNode component, Set<String> touched,
            Map<String, String> sourceTimes, String now) {
        JsonNode oldMeta = component.path(METADATA);
        ObjectNode meta = Json.object();
        meta.put("$lastUpdateTime", oldMeta.path("$lastUpdateTime").asText(now));
        boolean componentTouched = touched.stream().anyMatch(t -> t.startsWith(name + "/"));
        ObjectNode values = Json.object();
        for (Iterator<Map.Entry<String, JsonNode>> c = component.fields(); c.hasNext();) {
            Map.Entry<String, JsonNode> p = c.next();
            if (p.getKey().equals(METADATA)) {
                continue;
            }
            values.set(p.getKey(), p.getValue());
            String path = name + "/" + p.getKey();
            meta.set(p.getKey(), propertyMetadata(oldMeta.path(p.getKey()), touched.contains(path),
                    sourceTimes.get(path), now));
        }
        if (componentTouched) {
            meta.put("$lastUpdateTime", now);
        }
        values.set(METADATA, meta);
        return values;
    }

    private static ObjectNode propertyMetadata(JsonNode old, boolean touched, String sourceTime, String now) {
        ObjectNode meta = Json.object();
        meta.put("lastUpdateTime", touched || !old.has("lastUpdateTime") ? now : old.get("lastUpdateTime").asText());
        String keptSourceTime = sourceTime != null ? sourceTime : old.path("sourceTime").asText(null);
        if (keptSourceTime != null) {
            meta.put("sourceTime", keptSourceTime);
        }
        return meta;
    }

    /** The properties and components of a stored twin, without its system properties. */
    static ObjectNode contentOf(ObjectNode twin) {
        ObjectNode content = twin.deepCopy();
        content.remove(List.of("$dtId", "$etag", METADATA));
        return content;
    }

    /** Property paths a fresh twin sets. */
    static Set<String> propertyPaths(InterfaceModel model, ObjectNode content) {
        Set<String> paths = new HashSet<>();
        content.fields().forEachRemaining(f -> {
            if (model.content(f.getKey()) instanceof Content.Component) {
                f.getValue().fieldNames().forEachRemaining(p -> {
                    if (!p.equals(METADATA)) {
                        paths.add(f.getKey() + "/" + p);
                    }
                });
            } else {
                paths.add(f.getKey());
            }
        });
        return paths;
    }

    /** Source times a PUT body carries in {@code $metadata.<p>.sourceTime} or a component's metadata. */
    static Map<String, String> requestSourceTimes(InterfaceModel model, ObjectNode body) {
        Map<String, String> times = new HashMap<>();
        collectSourceTimes(body.path(METADATA), "", times);
        body.fields().forEachRemaining(f -> {
            if (model.content(f.getKey()) instanceof Content.Component) {
                collectSourceTimes(f.getValue().path(METADATA), f.getKey() + "/", times);
            }
        });
        return times;
    }

    private static void collectSourceTimes(JsonNode metadata, String prefix, Map<String, String> times) {
        metadata.fields().forEachRemaining(f -> {
            JsonNode time = f.getValue().path("sourceTime");
            if (!f.getKey().startsWith("$") && time.isTextual()) {
                times.put(prefix + f.getKey(), parseTime(time.asText(), "sourceTime of " + prefix + f.getKey()));
            }
        });
    }

    /** A source time as an instant; {@code what} names where it came from in the error. */
    public static String parseTime(String text, String what) {
        try {
            return OffsetDateTime.parse(text).toInstant().toString();
        } catch (DateTimeParseException e) {
            throw AdtError.VALIDATION_FAILED.with(what + " '" + text + "' is not an ISO 8601 date-time with a time"
                    + " zone, e.g. 2024-05-01T12:00:00Z.");
        }
    }
}
