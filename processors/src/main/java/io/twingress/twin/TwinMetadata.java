package io.twingress.twin;

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
import io.twingress.model.Rfc3339;

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
        collectSourceTimes(model, body, "", times);
        body.fields().forEachRemaining(f -> {
            if (model.content(f.getKey()) instanceof Content.Component) {
                collectSourceTimes(null, f.getValue(), f.getKey() + "/", times);
            }
        });
        return times;
    }

    /** @param model the twin's model when {@code owner} is the twin itself, whose components have no source time */
    private static void collectSourceTimes(InterfaceModel model, JsonNode owner, String prefix,
            Map<String, String> times) {
        owner.path(METADATA).fields().forEachRemaining(f -> {
            JsonNode time = f.getValue().path("sourceTime");
            String name = f.getKey();
            if (name.startsWith("$") || time.isMissingNode()) {
                return;
            }
            if (!owner.has(name) || (model != null && model.content(name) instanceof Content.Component)) {
                throw AdtError.VALIDATION_FAILED.with("The $metadata gives a sourceTime for '" + prefix + name
                        + "', which the twin does not set: a sourceTime describes a property's value. Set the"
                        + " property or leave out its sourceTime.");
            }
            times.put(prefix + name, parseTime(time.isTextual() ? time.asText() : time.toString(),
                    "sourceTime of " + prefix + name));
        });
    }

    /** A source time as an instant; {@code what} names where it came from in the error. */
    public static String parseTime(String text, String what) {
        try {
            return Rfc3339.toInstant(text);
        } catch (IllegalArgumentException e) {
            throw AdtError.VALIDATION_FAILED.with(what + " '" + text + "' is not an RFC 3339 date-time: "
                    + e.getMessage() + ".");
        }
    }
}
