package io.twingress.twin;

import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.Json;

/**
 * The JSON Patch that turns one twin's (or relationship's) properties into another's, as an update event reports a
 * replace: properties added, removed or changed at the top level, and inside objects present on both sides (so a
 * component's changed property is one operation, not the whole component). System properties ({@code $...}) are
 * left out: they are the service's.
 */
public final class JsonDiff {

    private JsonDiff() {
    }

    public static ArrayNode diff(JsonNode before, JsonNode after) {
        ArrayNode patch = Json.MAPPER.createArrayNode();
        diff("", before, after, patch);
        return patch;
    }

    private static void diff(String prefix, JsonNode before, JsonNode after, ArrayNode patch) {
        for (Iterator<String> names = before.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!name.startsWith("$") && !after.has(name)) {
                patch.addObject().put("path", prefix + "/" + escape(name)).put("op", "remove");
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = after.fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            if (name.startsWith("$")) {
                continue;
            }
            String path = prefix + "/" + escape(name);
            JsonNode old = before.get(name);
            JsonNode now = field.getValue();
            if (old == null) {
                op(patch, "add", path, now);
            } else if (old instanceof ObjectNode && now instanceof ObjectNode && prefix.isEmpty()) {
                diff(path, old, now, patch);
            } else if (!old.equals(now)) {
                op(patch, "replace", path, now);
            }
        }
    }

    private static void op(ArrayNode patch, String op, String path, JsonNode value) {
        ObjectNode o = patch.addObject();
        o.set("value", value);
        o.put("path", path);
        o.put("op", op);
    }

    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
