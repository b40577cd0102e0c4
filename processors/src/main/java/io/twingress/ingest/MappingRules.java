package io.twingress.ingest;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;
import org.apache.camel.support.DefaultExchange;

/**
 * The ingress rules file: {@code mappings} say how a message that the default mapping cannot handle becomes twin
 * changes, {@code propagations} how a property change rolls up through relationships. Expressions are Camel's:
 * a value starting with {@code $.} or {@code $[} is JSONPath over the message, {@code jq:...} is jq, one holding
 * {@code ${...}} is Camel simple, anything else is a constant.
 * <pre>
 * mappings:
 *   - id: vendor-x
 *     match: "$.payload.temp"             # present in the message (or a simple predicate)
 *     twin: "${header.deviceId}-sensor"      # the envelope: deviceId, messageId, source, enqueuedTime, ...
 *     set:
 *       Temperature: "$.payload.temp"      # a property, or component/property
 *     sourceTime: "$.payload.ts"           # optional: when the values were measured (RFC 3339, or epoch ms)
 * propagations:
 *   - id: room-temperature
 *     model: "dtmi:contosocom:DigitalTwins:Thermostat;1"
 *     property: Temperature
 *     relationship: { name: contains, direction: incoming }
 *     set: { property: Temperature, aggregate: avg }   # copy | avg | min | max | sum | count
 * </pre>
 */
public record MappingRules(List<Mapping> mappings, List<Propagation> propagations) {

    public static final MappingRules NONE = new MappingRules(List.of(), List.of());

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /**
     * A message that has {@code match} is applied to twin {@code twin}: each property path gets its value, with the
     * source time {@code sourceTime} finds (null: the envelope's).
     */
    public record Mapping(String id, Predicate match, Expression twin, Map<String, Expression> set,
            Expression sourceTime) {

        public boolean matches(Exchange message) {
            try {
                return match.matches(message);
            } catch (RuntimeException e) {
                return false;
            }
        }
    }

    public enum Aggregate {
        COPY, AVG, MIN, MAX, SUM, COUNT
    }

    /**
     * When {@code property} of a twin of {@code model} (or a model extending it) changes, the twins related to it by
     * {@code relationship} ({@code incoming}: those whose relationship points at it) get {@code targetProperty} set to
     * the changed value ({@code COPY}) or to the aggregate over all the twins related to them the same way.
     */
    public record Propagation(String id, String model, String property, String relationship, boolean incoming,
            String targetProperty, Aggregate aggregate) {
    }

    /** Parses a rules file; anything wrong throws {@link IllegalArgumentException} naming the rule and the key. */
    public static MappingRules parse(String yaml, CamelContext context) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (Exception e) {
            throw new IllegalArgumentException("not YAML: " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return NONE;
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException("the file must be a map with 'mappings' and 'propagations'");
        }
        onlyKeys(root, "rules file", Set.of("mappings", "propagations"));
        List<Mapping> mappings = new ArrayList<>();
        for (JsonNode m : list(root, "mappings")) {
            String id = required(m, "mapping", "id");
            onlyKeys(m, "mapping " + id, Set.of("id", "match", "twin", "set", "sourceTime"));
            Map<String, Expression> set = new LinkedHashMap<>();
            JsonNode setNode = m.get("set");
            if (setNode == null || !setNode.isObject() || setNode.isEmpty()) {
                throw new IllegalArgumentException("mapping " + id + ": 'set' must map property paths to values");
            }
            for (Iterator<Map.Entry<String, JsonNode>> f = setNode.fields(); f.hasNext();) {
                Map.Entry<String, JsonNode> e = f.next();
                set.put(e.getKey(), expression(context, "mapping " + id + " set." + e.getKey(), e.getValue().asText()));
            }
            mappings.add(new Mapping(id, predicate(context, "mapping " + id + " match", required(m, id, "match")),
                    expression(context, "mapping " + id + " twin", required(m, id, "twin")), Map.copyOf(set),
                    m.has("sourceTime") ? expression(context, "mapping " + id + " sourceTime",
                            required(m, id, "sourceTime")) : null));
        }
        List<Propagation> propagations = new ArrayList<>();
        for (JsonNode p : list(root, "propagations")) {
            String id = required(p, "propagation", "id");
            onlyKeys(p, "propagation " + id, Set.of("id", "model", "property", "relationship", "set"));
            JsonNode rel = p.path("relationship");
            JsonNode set = p.path("set");
            onlyKeys(rel, "propagation " + id + " relationship", Set.of("name", "direction"));
            onlyKeys(set, "propagation " + id + " set", Set.of("property", "aggregate"));
            String direction = rel.path("direction").asText("incoming");
            if (!direction.equals("incoming") && !direction.equals("outgoing")) {
                throw new IllegalArgumentException("propagation " + id + ": relationship.direction must be incoming"
                        + " or outgoing");
            }
            Aggregate aggregate;
            try {
                aggregate = Aggregate.valueOf(set.path("aggregate").asText("copy").toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("propagation " + id + ": set.aggregate must be one of copy, avg,"
                        + " min, max, sum, count");
            }
            propagations.add(new Propagation(id, required(p, id, "model"), required(p, id, "property"),
                    required(rel, id, "name"), direction.equals("incoming"),
                    set.path("property").asText(required(p, id, "property")), aggregate));
        }
        return new MappingRules(List.copyOf(mappings), List.copyOf(propagations));
    }

    /**
     * The value of an expression for a message, or null where it finds nothing. jq gives JSON nodes; a text, number
     * or boolean one is given as its value, as JSONPath and simple give it (a twin id must not keep its quotes).
     */
    public static Object evaluate(Expression expression, Exchange message) {
        Object value;
        try {
            value = expression.evaluate(message, Object.class);
        } catch (RuntimeException e) {
            // JSONPath throws where the path is absent
            return null;
        }
        if (value instanceof JsonNode node) {
            return node.isNull() || node.isMissingNode() ? null : node.isTextual() ? node.asText()
                    : node.isNumber() ? node.numberValue() : node.isBoolean() ? node.booleanValue() : node;
        }
        return value;
    }

    private static Expression expression(CamelContext context, String where, String text) {
        try {
            if (text.startsWith("$.") || text.startsWith("$[")) {
                return checkedPath(context, init(context, context.resolveLanguage("jsonpath").createExpression(text)));
            }
            if (text.startsWith("jq:")) {
                return init(context, context.resolveLanguage("jq").createExpression(text.substring(3)));
            }
            if (text.contains("${")) {
                return init(context, context.resolveLanguage("simple").createExpression(text));
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": cannot use '" + text + "': " + e.getMessage());
        }
        return init(context, context.resolveLanguage("constant").createExpression(text));
    }

    /** JSONPath and jq match when they find something, simple when its predicate holds. */
    private static Predicate predicate(CamelContext context, String where, String text) {
        if (text.contains("${") && !text.startsWith("$.") && !text.startsWith("$[")) {
            try {
                Predicate predicate = context.resolveLanguage("simple").createPredicate(text);
                predicate.init(context);
                return predicate;
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(where + ": cannot use '" + text + "': " + e.getMessage());
            }
        }
        Expression found = expression(context, where, text);
        return message -> evaluate(found, message) != null;
    }

    /**
     * Camel's JSONPath compiles a path only when it first reads a message, so an invalid one would find nothing in
     * every message and dead-letter each as "found none of its values". Read once against an empty document, an
     * invalid path is refused here, with the file. (A path that is only absent from {@code {}} is fine: Jayway's
     * PathNotFoundException extends its InvalidPathException, which alone says the path itself is wrong.)
     */
    private static Expression checkedPath(CamelContext context, Expression path) {
        Exchange probe = new DefaultExchange(context);
        probe.getMessage().setBody("{}");
        try {
            path.evaluate(probe, Object.class);
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t.getClass().getName().equals("com.jayway.jsonpath.InvalidPathException")) {
                    throw new IllegalArgumentException(t.getMessage(), e);
                }
            }
        }
        return path;
    }

    private static Expression init(CamelContext context, Expression expression) {
        expression.init(context);
        return expression;
    }

    private static List<JsonNode> list(JsonNode root, String name) {
        JsonNode node = root.get(name);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException("'" + name + "' must be a list");
        }
        List<JsonNode> items = new ArrayList<>();
        node.forEach(items::add);
        return items;
    }

    private static String required(JsonNode node, String where, String key) {
        JsonNode value = node.get(key);
        if (value == null || !value.isValueNode() || value.asText().isBlank()) {
            throw new IllegalArgumentException(where + ": '" + key + "' is required");
        }
        return value.asText();
    }

    private static void onlyKeys(JsonNode node, String where, Set<String> allowed) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException(where + ": unknown key '" + name + "'; allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }
}
