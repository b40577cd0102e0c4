package io.twingress.model;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * DTDL's other JSON-LD spellings of a value, read as the plain form the parser checks: a member that holds one value
 * written as an array of exactly one; a literal written as a value object ({@code {"@value": true}}, typed as its
 * XSD type if at all); a member named by its DTMI ({@code dtmi:dtdl:property:schema;3} for {@code schema}); an
 * element type named by its DTMI ({@code dtmi:dtdl:class:Property;3}); an {@code @context} on a nested element that
 * repeats its document's DTDL version. Works on a copy: a model is stored and served as it was written.
 */
final class JsonLdForms {

    private static final Pattern MEMBER_DTMI = Pattern.compile("dtmi:dtdl:property:([A-Za-z]+);([0-9]+)");
    private static final Pattern CLASS_DTMI = Pattern.compile("dtmi:dtdl:class:([A-Za-z]+);([0-9]+)");
    /** Members DTDL defines to hold one value, which the specifications allow as an array of exactly one. */
    private static final Set<String> SINGLE = Set.of("name", "writable", "minMultiplicity", "maxMultiplicity",
            "target", "valueSchema", "mapKey", "mapValue", "unit", "commandType", "enumValue", "elementSchema",
            "schema", "request", "response");
    /** Of those, the literals, and the XSD types their value objects may name. */
    private static final Map<String, Set<String>> LITERAL_TYPES = Map.of(
            "name", xsd("string"), "writable", xsd("boolean"), "minMultiplicity", xsd("integer", "int"),
            "maxMultiplicity", xsd("integer", "int"), "enumValue", xsd("string", "integer", "int"));

    private JsonLdForms() {
    }

    /**
     * A copy of an Interface with those spellings replaced.
     *
     * @param version the document's DTDL version: DTMI spellings must name it, and so must a nested {@code @context}
     */
    static JsonNode plain(JsonNode interfaceJson, int version) {
        return plain(interfaceJson.deepCopy(), version, true);
    }

    private static JsonNode plain(JsonNode node, int version, boolean root) {
        if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, plain(array.get(i), version, false));
            }
            return array;
        }
        if (!(node instanceof ObjectNode object)) {
            return node;
        }
        boolean isInterface = "Interface".equals(typeTerm(object.get("@type"), version));
        // an inline Interface is a document of its own, which may have another DTDL version: its @context stays
        if (!root && !isInterface && object.has("@context") && sameVersion(object.get("@context"), version)) {
            object.remove("@context");
        }
        ObjectNode result = object.objectNode();
        object.properties().forEach(member -> {
            String key = memberTerm(member.getKey(), version);
            if (result.has(key)) {
                // both spellings of one member: left for the key check to refuse
                key = member.getKey();
            }
            result.set(key, value(key, member.getValue(), version));
        });
        return result;
    }

    private static JsonNode value(String key, JsonNode value, int version) {
        if (key.equals("@type")) {
            return types(value, version);
        }
        if (key.equals("@context") || key.equals("displayName") || key.equals("description")
                || key.equals("comment")) {
            // localizable strings and comments have their own forms, which the parser reads as they are
            return value;
        }
        JsonNode one = value;
        if (SINGLE.contains(key) && one.isArray() && one.size() == 1) {
            one = one.get(0);
        }
        Set<String> types = LITERAL_TYPES.get(key);
        if (types != null && one.isObject() && one.has("@value") && one.size() <= 2
                && (one.size() == 1 || one.path("@type").isTextual() && types.contains(one.get("@type").asText()))) {
            one = one.get("@value");
        }
        return plain(one, version, false);
    }

    private static JsonNode types(JsonNode value, int version) {
        if (value.isTextual()) {
            return JsonNodeFactory.instance.textNode(typeTerm(value, version));
        }
        if (value.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            value.forEach(t -> copy.add(t.isTextual() ? copy.textNode(typeTerm(t, version)) : t));
            return copy;
        }
        return value;
    }

    private static String typeTerm(JsonNode type, int version) {
        if (type == null || !type.isTextual()) {
            return type instanceof ArrayNode a && a.size() == 1 ? typeTerm(a.get(0), version) : null;
        }
        Matcher m = CLASS_DTMI.matcher(type.asText());
        return m.matches() && m.group(2).equals(Integer.toString(version)) ? m.group(1) : type.asText();
    }

    private static String memberTerm(String key, int version) {
        Matcher m = MEMBER_DTMI.matcher(key);
        return m.matches() && m.group(2).equals(Integer.toString(version)) ? m.group(1) : key;
    }

    /** True for a nested {@code @context} whose DTDL context is the document's own version, with nothing added. */
    private static boolean sameVersion(JsonNode context, int version) {
        String own = version == 2 ? DtdlParser.CONTEXT_V2 : DtdlParser.CONTEXT_V3;
        return context.isTextual() ? context.asText().equals(own)
                : context.isArray() && context.size() == 1 && context.get(0).asText().equals(own);
    }

    private static Set<String> xsd(String... names) {
        Set<String> all = new HashSet<>();
        for (String name : names) {
            all.add("xsd:" + name);
            all.add("http://www.w3.org/2001/XMLSchema#" + name);
        }
        return Set.copyOf(all);
    }
}
