package io.twingress.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import io.twingress.AdtError;
import io.twingress.AdtException;

/**
 * Throws thousands of broken filters and random events at {@link EventFilter}: parsing must give a filter or an
 * InvalidArgument naming a position inside the text, never another exception, and matching must never throw.
 * Rewrites that keep a filter's meaning must give its exact answer, so a filter that matched nothing would fail.
 */
class EventFilterFuzzTest {

    private static final List<String> CORPUS = List.of(
            "type = 'Microsoft.DigitalTwins.Twin.Update' AND STARTS_WITH($body.modelId,'dtmi:ex:floor')",
            "type = 'Microsoft.DigitalTwins.Twin.Create' OR type = 'Microsoft.DigitalTwins.Twin.Update'",
            "$body.$metadata.$model = 'dtmi:example:Room;1'",
            "source = 'mytwins.api.weu.digitaltwins.azure.net'",
            "TOUCHES($body.patch, '/Temperature')",
            "true",
            "false",
            "NOT (subject = $body.$dtId) OR $body.enabled",
            "$body['my-prop'].x >= -1.5e3 AND $body[\"a b\"] != null",
            "$body.patch[0].path = '/Temperature' AND $body.patch[0].value > 20",
            "IS_DEFINED($body.z) AND NOT IS_DEFINED($body.missing) OR ENDS_WITH(id, '7')",
            "time > '2024-01-01T00:00:00Z' AND specversion <> '0.3'",
            "CONTAINS(dataschema, 'Room') OR datacontenttype = \"application/json\"",
            "(($body.n < 10 OR $body.n = null) AND NOT $body.t = false) OR $body.s <= 'it''s'",
            "touches($body.patch, '/thermostat/temp') and starts_with(type, 'Microsoft.')");
    private static final String[] FRAGMENTS = {"AND", "OR", "NOT", "(", ")", "[", "]", "'", "\"", "''", ",", ".",
            "=", "!=", "<>", "<", "<=", ">", ">=", "!", "$body", "$body.", "$body[", "type", "Type", "null", "TRUE",
            "STARTS_WITH(", "TOUCHES(", "IS_DEFINED(", "FOO(", "-", "1e", "-0", "1e999999", "-1e99999999999",
            "99999999999999999999", "0.", "[0]", "[99999999999]", "'/a~'", "\u00e9", "\uD83D\uDE00", "\uDE00",
            "\u0000", "\u200b", "\n", "\t", "\\"};
    private static final String[] KEYS = {"modelId", "patch", "$metadata", "$model", "$dtId", "op", "path", "value",
            "enabled", "x", "a b", "my-prop", "n", "s", "t", "z", "Temperature"};
    private static final String[] ATTRIBUTES = {"type", "source", "subject", "id", "dataschema", "datacontenttype",
            "specversion", "time"};
    private static final String[] STRINGS = {"Microsoft.DigitalTwins.Twin.Update", "Microsoft.DigitalTwins.Twin.Create",
            "dtmi:example:Room;1", "dtmi:ex:floor;1", "mytwins.api.weu.digitaltwins.azure.net", "/Temperature",
            "/thermostat", "/thermostat/temp/x", "/", "", "room7", "2024-03-01T10:00:00Z", "0.3", "it's", "a",
            "application/json", "replace", "\u0000", "\uD83D"};
    private static final Pattern POSITION = Pattern.compile("^Invalid filter at position (\\d+): .+", Pattern.DOTALL);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** Wrappings that keep a filter's meaning. */
    private static final List<UnaryOperator<String>> REWRITES = List.of(
            f -> "(" + f + ")",
            f -> "NOT NOT (" + f + ")",
            f -> "(" + f + ") AND true",
            f -> "false OR (" + f + ")",
            f -> "NOT (NOT (" + f + ") OR false)",
            f -> "(" + f + ") AND (" + f + ")",
            f -> " \t\n" + f + "\r\n ");

    @Test
    void mutatedFiltersParseOrGiveAPositionedInvalidArgument() {
        Random random = new Random(20240611L);
        int parsed = 0;
        int refused = 0;
        for (int i = 0; i < 5000; i++) {
            String text = mutate(CORPUS.get(random.nextInt(CORPUS.size())), random);
            EventFilter filter = parse(text);
            if (filter == null) {
                refused++;
                continue;
            }
            parsed++;
            for (int e = 0; e < 3; e++) {
                match(filter, attributes(random), data(random, 0));
            }
        }
        // a parser that refused (or accepted) everything would pass the loop without testing much
        assertThat(parsed).isGreaterThan(500);
        assertThat(refused).isGreaterThan(500);
    }

    @Test
    void randomTextAndExtremeShapesParseOrGiveAnInvalidArgument() {
        Random random = new Random(7L);
        int refused = 0;
        for (int i = 0; i < 1000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(120);
            for (int j = 0; j < length; j++) {
                text.append(random.nextInt(3) == 0 ? FRAGMENTS[random.nextInt(FRAGMENTS.length)] + " "
                        : String.valueOf(Character.toChars(random.nextInt(0x2FFFF))));
            }
            refused += parse(text.toString()) == null ? 1 : 0;
        }
        assertThat(refused).isGreaterThan(900);
        List<String> extremes = List.of(
                "(".repeat(100_000),
                "(".repeat(4000) + "true",
                "NOT ".repeat(1000) + "true",
                "$body.t" + " AND $body.t".repeat(340),
                "$body" + ".x".repeat(2040),
                "$body" + "[0]".repeat(1360),
                "type = '" + "'".repeat(4000),
                "type = '" + "''".repeat(2040) + "'",
                "$body.n = " + "9".repeat(4000),
                "$body.n = 1e999999",
                "$body.n = 1e-999999",
                "$body.n = 1e2147483647",
                "$body.n = 1e-2147483648",
                "$body.n = 1e2147483648",
                "\uFEFFtrue",
                "\uD800\uD800\uD800",
                "true\u0000");
        for (String text : extremes) {
            EventFilter filter = parse(text);
            if (filter != null) {
                match(filter, attributes(random), data(random, 0));
            }
        }
        assertThat(parse("(".repeat(4000) + "true")).isNull();
        assertThat(parse("$body.n = 1e-999999")).isNotNull();
    }

    @Test
    void meaningPreservingRewritesGiveTheSameAnswer() {
        Random random = new Random(31L);
        int matched = 0;
        int unmatched = 0;
        for (int i = 0; i < 3000; i++) {
            String text = CORPUS.get(random.nextInt(CORPUS.size()));
            String rewritten = REWRITES.get(random.nextInt(REWRITES.size())).apply(text);
            Map<String, String> attributes = attributes(random);
            JsonNode data = data(random, 0);
            boolean expected = match(EventFilter.parse(text), attributes, data);
            assertThat(match(EventFilter.parse(rewritten), attributes, data)).as("<%s> against %s %s", rewritten,
                    attributes, data).isEqualTo(expected);
            if (expected) {
                matched++;
            } else {
                unmatched++;
            }
        }
        assertThat(matched).as("random events match some filters").isGreaterThan(100);
        assertThat(unmatched).isGreaterThan(100);
    }

    /** The filter, or null when it was refused as an InvalidArgument naming a position inside or just after it. */
    private static EventFilter parse(String text) {
        try {
            return EventFilter.parse(text);
        } catch (AdtException e) {
            assertThat(e.error()).as(text).isEqualTo(AdtError.EVENT_ROUTE_FILTER_INVALID);
            Matcher matcher = POSITION.matcher(e.getMessage());
            assertThat(matcher.matches()).as("message of <%s>: %s", text, e.getMessage()).isTrue();
            assertThat(Integer.parseInt(matcher.group(1))).as(text).isBetween(1, text.length() + 1);
            return null;
        } catch (RuntimeException | StackOverflowError e) {
            fail("filter <" + text + "> threw " + e, e);
            return null;
        }
    }

    private static boolean match(EventFilter filter, Map<String, String> attributes, JsonNode data) {
        try {
            return filter.matches(attributes, data);
        } catch (RuntimeException | StackOverflowError e) {
            fail("<" + filter.text() + "> threw " + e + " on " + attributes + " " + data, e);
            return false;
        }
    }

    private static Map<String, String> attributes(Random random) {
        if (random.nextInt(20) == 0) {
            return null;
        }
        Map<String, String> attributes = new HashMap<>();
        for (String name : ATTRIBUTES) {
            if (random.nextInt(4) != 0) {
                attributes.put(name, STRINGS[random.nextInt(STRINGS.length)]);
            }
        }
        return attributes;
    }

    private static JsonNode data(Random random, int depth) {
        int kind = random.nextInt(depth == 0 ? 4 : 12);
        switch (kind) {
            case 0, 1, 2 -> {
                ObjectNode object = JSON.objectNode();
                int size = depth > 4 ? 0 : random.nextInt(6);
                for (int i = 0; i < size; i++) {
                    object.set(KEYS[random.nextInt(KEYS.length)], data(random, depth + 1));
                }
                if (random.nextInt(3) == 0) {
                    object.set("patch", patch(random));
                }
                return object;
            }
            case 3 -> {
                ArrayNode array = JSON.arrayNode();
                int size = depth > 4 ? 0 : random.nextInt(4);
                for (int i = 0; i < size; i++) {
                    array.add(data(random, depth + 1));
                }
                return array;
            }
            case 4 -> {
                return JSON.textNode(STRINGS[random.nextInt(STRINGS.length)]);
            }
            case 5 -> {
                return JSON.numberNode(random.nextInt(40) - 10);
            }
            case 6 -> {
                BigDecimal gaussian = new BigDecimal(random.nextGaussian());
                return JSON.numberNode(gaussian.scaleByPowerOfTen(random.nextInt(2000) - 1000));
            }
            case 7 -> {
                double[] awkward = {Double.NaN, Double.NEGATIVE_INFINITY, -0.0, 1e308};
                return DoubleNode.valueOf(awkward[random.nextInt(awkward.length)]);
            }
            case 8 -> {
                return JSON.booleanNode(random.nextBoolean());
            }
            case 9 -> {
                return JSON.nullNode();
            }
            case 10 -> {
                return JSON.binaryNode(new byte[] {1, 2});
            }
            default -> {
                return patch(random);
            }
        }
    }

    /** Mostly well-formed JSON Patches, sometimes with a malformed operation. */
    private static ArrayNode patch(Random random) {
        ArrayNode patch = JSON.arrayNode();
        int size = random.nextInt(4);
        for (int i = 0; i < size; i++) {
            ObjectNode operation = JSON.objectNode();
            if (random.nextInt(8) != 0) {
                operation.put("op", "replace");
            }
            if (random.nextInt(8) != 0) {
                operation.put("path", STRINGS[random.nextInt(STRINGS.length)]);
            } else {
                operation.put("path", 5);
            }
            operation.put("value", random.nextInt(50));
            patch.add(operation);
        }
        return patch;
    }

    private static String mutate(String filter, Random random) {
        String mutated = filter;
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
            List<String> tokens = new ArrayList<>(List.of(mutated.split(" ", -1)));
            int at = random.nextInt(mutated.length() + 1);
            int token = random.nextInt(tokens.size());
            mutated = switch (random.nextInt(8)) {
                case 0 -> at < mutated.length() ? mutated.substring(0, at) + mutated.substring(at + 1) : mutated;
                case 1 -> mutated.substring(0, at) + (char) (32 + random.nextInt(95)) + mutated.substring(at);
                case 2 -> at < mutated.length() ? mutated.substring(0, at) + (char) (32 + random.nextInt(95))
                        + mutated.substring(at + 1) : mutated;
                case 3 -> {
                    tokens.remove(token);
                    yield String.join(" ", tokens);
                }
                case 4 -> {
                    tokens.add(token, FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
                    yield String.join(" ", tokens);
                }
                case 5 -> {
                    tokens.set(token, tokens.set(random.nextInt(tokens.size()), tokens.get(token)));
                    yield String.join(" ", tokens);
                }
                case 6 -> {
                    int codePoint = random.nextInt(0x10FFFF) & ~0xF800 | 0x80;
                    yield mutated.substring(0, at) + new String(Character.toChars(codePoint)) + mutated.substring(at);
                }
                default -> mutated.substring(0, at) + mutated.substring(at).toLowerCase();
            };
        }
        return mutated;
    }
}
