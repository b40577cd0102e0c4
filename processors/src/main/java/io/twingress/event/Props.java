package io.twingress.event;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.AdtError;
import io.twingress.AdtException;

/**
 * One JSON object of an endpoint body, read key by key with errors that name the key by its path (e.g.
 * {@code properties.retryPolicy.timeToLive}). A JSON null counts as absent, so the resource GET returns (secrets as
 * null) reads as the same endpoint without its secrets. Values are never echoed by the readers here, since any of
 * them may be a secret.
 */
final class Props {

    private final ObjectNode node;
    private final String path;

    private Props(ObjectNode node, String path) {
        this.node = node;
        this.path = path;
    }

    static Props of(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw invalid((path.isEmpty() ? "the body" : path) + " must be a JSON object but is " + kind(node));
        }
        return new Props((ObjectNode) node, path);
    }

    static AdtException invalid(String message) {
        return AdtError.INVALID_ARGUMENT.with(message);
    }

    String path(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        JsonNode value = node.get(key);
        return value != null && !value.isNull();
    }

    /** Refuses any key not in {@code allowed}, naming it, the allowed key it may be a typo of, and all allowed. */
    void allowOnly(List<String> allowed, String what) {
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext();) {
            String key = keys.next();
            if (!allowed.contains(key)) {
                String near = nearest(key, allowed);
                throw invalid(path(key) + " is not a property of " + what + (near == null ? ""
                        : " (did you mean " + near + "?)") + "; the allowed properties are " + String.join(", ",
                                allowed));
            }
        }
    }

    /** Refuses {@code key} if it is present, saying why. */
    void refuse(String key, String why) {
        if (has(key)) {
            throw invalid(path(key) + " " + why);
        }
    }

    String text(String key) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw invalid(path(key) + " must be a string but is " + kind(value));
        }
        if (value.textValue().isBlank()) {
            throw invalid(path(key) + " must not be empty");
        }
        return value.textValue();
    }

    String requiredText(String key, String hint) {
        String text = text(key);
        if (text == null) {
            throw invalid(path(key) + " is required" + (hint == null ? "" : ": " + hint));
        }
        return text;
    }

    Secret secret(String key) {
        String text = text(key);
        return text == null ? null : Secret.of(text);
    }

    /** @return null when absent */
    Double number(String key) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw invalid(path(key) + " must be a number but is " + kind(value));
        }
        double d = value.doubleValue();
        if (!Double.isFinite(d)) {
            throw invalid(path(key) + " is out of range");
        }
        return d;
    }

    /** @return null when absent */
    Boolean bool(String key) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            throw invalid(path(key) + " must be true or false but is " + kind(value));
        }
        return value.booleanValue();
    }

    /** The raw value, null when absent; for the few keys that accept more than one JSON type. */
    JsonNode raw(String key) {
        JsonNode value = node.get(key);
        return value == null || value.isNull() ? null : value;
    }

    /** @return null when absent */
    Props object(String key) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        return of(value, path(key));
    }

    /**
     * One of a few words, matched exactly. The value is echoed in the error, so only use this for keys whose allowed
     * values are a fixed list (never for a secret).
     */
    <E extends Enum<E>> E choice(String key, E[] values, Function<E, String> jsonName, E absent) {
        String text = text(key);
        if (text == null) {
            return absent;
        }
        List<String> names = new ArrayList<>();
        for (E value : values) {
            if (jsonName.apply(value).equals(text)) {
                return value;
            }
            names.add(jsonName.apply(value));
        }
        throw invalid(path(key) + " must be one of " + String.join(", ", names) + " (case-sensitive) but is '"
                + shorten(text) + "'");
    }

    Set<String> keys() {
        java.util.Set<String> keys = new LinkedHashSet<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "missing";
        }
        JsonNodeType type = node.getNodeType();
        return switch (type) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case STRING -> "a string";
            default -> type.name().toLowerCase(Locale.ROOT);
        };
    }

    /** Non-secret text as it may appear in an error: long text is cut so an error stays readable. */
    static String shorten(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }

    /** An allowed key within two edits of {@code key}, or equal ignoring case: most misspellings. */
    private static String nearest(String key, List<String> allowed) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : allowed) {
            int d = candidate.equalsIgnoreCase(key) ? 0 : distance(key.toLowerCase(Locale.ROOT),
                    candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
