package io.twingress.twin;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Applies add, replace and remove (RFC 6902) to a JSON tree in place, with ADT's strictness: {@code replace} and
 * {@code remove} need the target to exist, and a sub-path needs its parent, so an object property must be added
 * whole before {@code /obj/field} can be patched.
 */
final class JsonPatcher {

    private JsonPatcher() {
    }

    /** Applies one operation; true if it was an add that replaced a member of an object already there. */
    static boolean apply(ObjectNode root, PatchOperation op, List<String> path) {
        JsonNode parent = root;
        for (int i = 0; i < path.size() - 1; i++) {
            JsonNode next = child(parent, path.get(i));
            if (next == null || !next.isContainerNode()) {
                throw PatchOperation.invalid("Cannot " + op.op() + " " + op.pointer() + ": "
                        + pointer(path.subList(0, i + 1)) + (next == null ? " is not set; add it whole first."
                                : " is not an object or an array."));
            }
            parent = next;
        }
        String last = path.get(path.size() - 1);
        if (parent instanceof ObjectNode object) {
            boolean present = object.has(last);
            switch (op.op()) {
                case "add" -> {
                    object.set(last, op.value().deepCopy());
                    return present;
                }
                case "replace" -> {
                    if (!present) {
                        throw PatchOperation.invalid("Cannot replace " + op.pointer()
                                + ": it is not set. Use add to set a property that has no value yet.");
                    }
                    object.set(last, op.value().deepCopy());
                }
                default -> {
                    if (!present) {
                        throw PatchOperation.invalid("Cannot remove " + op.pointer() + ": it is not set.");
                    }
                    object.remove(last);
                }
            }
        } else if (parent instanceof ArrayNode array) {
            applyToArray(array, op, last);
        }
        return false;
    }

    private static void applyToArray(ArrayNode array, PatchOperation op, String token) {
        if (op.op().equals("add") && token.equals("-")) {
            array.add(op.value().deepCopy());
            return;
        }
        int index = arrayIndex(token);
        int limit = op.op().equals("add") ? array.size() : array.size() - 1;
        if (index < 0 || index > limit) {
            throw PatchOperation.invalid("Cannot " + op.op() + " " + op.pointer() + ": index " + token
                    + " is outside the array of " + array.size() + " items.");
        }
        switch (op.op()) {
            case "add" -> array.insert(index, op.value().deepCopy());
            case "replace" -> array.set(index, op.value().deepCopy());
            default -> array.remove(index);
        }
    }

    private static JsonNode child(JsonNode node, String token) {
        if (node instanceof ObjectNode object) {
            return object.get(token);
        }
        int index = arrayIndex(token);
        return index >= 0 && index < node.size() ? node.get(index) : null;
    }

    private static int arrayIndex(String token) {
        if (token.isEmpty() || token.length() > 9 || !token.chars().allMatch(Character::isDigit)
                || (token.length() > 1 && token.charAt(0) == '0')) {
            return -1;
        }
        return Integer.parseInt(token);
    }

    private static String pointer(List<String> path) {
        return "/" + String.join("/", path);
    }
}
