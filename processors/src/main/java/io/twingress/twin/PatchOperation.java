package io.twingress.twin;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.AdtError;
import io.twingress.AdtException;
import io.twingress.Json;

/**
 * One JSON Patch operation as ADT accepts it: only {@code add}, {@code replace} and {@code remove}.
 *
 * @param path the JSON pointer, already split into unescaped tokens
 */
public record PatchOperation(String op, String pointer, List<String> path, JsonNode value) {

    /** Parses a JSON Patch document, refusing anything ADT refuses with {@code JsonPatchInvalid}. */
    public static List<PatchOperation> parseAll(JsonNode document) {
        if (document == null || !document.isArray()) {
            throw invalid("The body must be a JSON Patch document: an array of operations.");
        }
        List<PatchOperation> ops = new ArrayList<>();
        for (int i = 0; i < document.size(); i++) {
            ops.add(parse(document.get(i), i));
        }
        return ops;
    }

    private static PatchOperation parse(JsonNode node, int index) {
        if (!node.isObject()) {
            throw invalid("Operation " + index + " is not a JSON object.");
        }
        String op = node.path("op").asText("");
        if (!List.of("add", "replace", "remove").contains(op)) {
            throw invalid("Operation " + index + " has op '" + op + "': only add, replace and remove are supported.");
        }
        JsonNode pathNode = node.get("path");
        if (pathNode == null || !pathNode.isTextual()) {
            throw invalid("Operation " + index + " has no path.");
        }
        String pointer = pathNode.asText();
        if (!pointer.startsWith("/") || pointer.length() == 1) {
            throw invalid("Operation " + index + " has path '" + pointer
                    + "': a path starts with '/' and names a property, e.g. /Temperature.");
        }
        List<String> tokens = new ArrayList<>();
        for (String raw : pointer.substring(1).split("/", -1)) {
            tokens.add(unescape(raw, index, pointer));
        }
        JsonNode value = node.get("value");
        if (!op.equals("remove") && value == null) {
            throw invalid("Operation " + index + " (" + op + " " + pointer + ") has no value.");
        }
        return new PatchOperation(op, pointer, List.copyOf(tokens), value);
    }

    /** RFC 6901: in a token, "~1" is '/' and "~0" is '~'; any other '~' is not a JSON pointer. */
    private static String unescape(String raw, int index, String pointer) {
        StringBuilder token = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '~') {
                token.append(c);
            } else if (i + 1 < raw.length() && (raw.charAt(i + 1) == '0' || raw.charAt(i + 1) == '1')) {
                token.append(raw.charAt(++i) == '0' ? '~' : '/');
            } else {
                throw invalid("Operation " + index + " has path '" + pointer + "': a '~' in a path must be written"
                        + " ~0, and a '/' inside a name ~1.");
            }
        }
        return token.toString();
    }

    /** Operations in ADT's event form: {@code {"value": ..., "path": ..., "op": ...}}. */
    public static ArrayNode toJson(List<PatchOperation> ops) {
        ArrayNode patch = Json.MAPPER.createArrayNode();
        for (PatchOperation op : ops) {
            ObjectNode o = patch.addObject();
            if (op.value() != null) {
                o.set("value", op.value());
            }
            o.put("path", op.pointer());
            o.put("op", op.op());
        }
        return patch;
    }

    static AdtException invalid(String message) {
        return AdtError.JSON_PATCH_INVALID.with(message);
    }
}
