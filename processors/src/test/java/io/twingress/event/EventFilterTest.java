package io.twingress.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.AbstractMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.twingress.AdtError;
import io.twingress.AdtException;
import io.twingress.Json;

class EventFilterTest {

    private static final String UPDATE = "Microsoft.DigitalTwins.Twin.Update";
    private static final Map<String, String> TWIN_UPDATE = Map.of(
            "type", UPDATE,
            "source", "mytwins.api.weu.digitaltwins.azure.net",
            "subject", "room1",
            "id", "7d1f8a2e",
            "dataschema", "dtmi:ex:Room;1",
            "datacontenttype", "application/json",
            "specversion", "1.0",
            "time", "2024-03-01T10:15:00Z");
    /** The data of ADT's Twin.Update notification for a patch of Temperature. */
    private static final JsonNode PATCH = Json.parse(
            "{\"modelId\":\"dtmi:ex:Room;1\",\"patch\":[{\"value\":40,\"path\":\"/Temperature\",\"op\":\"replace\"}]}");
    /** One value of each kind, for the comparison table. */
    private static final JsonNode VALUES = Json.parse("{\"n\":5,\"d\":2.50,\"big\":1e400,\"s\":\"b\",\"t\":true,"
            + "\"f\":false,\"z\":null,\"o\":{\"k\":1},\"a\":[1,2],\"$dtId\":\"room1\"}");

    private static boolean matches(String filter, Map<String, String> attributes, JsonNode data) {
        return EventFilter.parse(filter).matches(attributes, data);
    }

    private static boolean onUpdate(String filter) {
        return matches(filter, TWIN_UPDATE, PATCH);
    }

    private static boolean onValues(String filter) {
        return matches(filter, TWIN_UPDATE, VALUES);
    }

    private static boolean onData(String filter, String json) {
        return matches(filter, TWIN_UPDATE, Json.parse(json));
    }

    private static Map<String, String> withType(String type) {
        Map<String, String> attributes = new HashMap<>(TWIN_UPDATE);
        attributes.put("type", type);
        return attributes;
    }

    private static void assertError(String filter, int position, String expected) {
        assertThatThrownBy(() -> EventFilter.parse(filter))
                .isInstanceOf(AdtException.class)
                .satisfies(e -> assertThat(((AdtException) e).error()).isEqualTo(AdtError.EVENT_ROUTE_FILTER_INVALID))
                .hasMessageStartingWith("Invalid filter at position " + position + ": ")
                .hasMessageContaining(expected);
    }

    // ---- ADT's documented filters --------------------------------------------------------------------------

    @Test
    void typeAndModelPrefix() {
        String filter = "type = 'Microsoft.DigitalTwins.Twin.Update' AND STARTS_WITH($body.modelId,'dtmi:ex:floor')";
        assertThat(matches(filter, TWIN_UPDATE, Json.parse("{\"modelId\":\"dtmi:ex:floor;2\"}"))).isTrue();
        assertThat(matches(filter, TWIN_UPDATE, PATCH)).as("a Room is no floor").isFalse();
        assertThat(matches(filter, withType("Microsoft.DigitalTwins.Twin.Create"),
                Json.parse("{\"modelId\":\"dtmi:ex:floor;2\"}"))).isFalse();
    }

    @Test
    void eitherType() {
        String filter = "type = 'Microsoft.DigitalTwins.Twin.Create' OR type = 'Microsoft.DigitalTwins.Twin.Update'";
        assertThat(matches(filter, withType("Microsoft.DigitalTwins.Twin.Create"), null)).isTrue();
        assertThat(matches(filter, withType(UPDATE), null)).isTrue();
        assertThat(matches(filter, withType("Microsoft.DigitalTwins.Twin.Delete"), null)).isFalse();
        assertThat(matches(filter, withType("microsoft.digitaltwins.twin.update"), null))
                .as("values compare case-sensitively").isFalse();
    }

    @Test
    void modelInMetadata() {
        String filter = "$body.$metadata.$model = 'dtmi:example:Room;1'";
        assertThat(onData(filter, "{\"$dtId\":\"r\",\"$metadata\":{\"$model\":\"dtmi:example:Room;1\"}}")).isTrue();
        assertThat(onData(filter, "{\"$metadata\":{\"$model\":\"dtmi:example:Floor;1\"}}")).isFalse();
        assertThat(onData(filter, "{\"$model\":\"dtmi:example:Room;1\"}")).isFalse();
    }

    @Test
    void source() {
        String filter = "source = 'mytwins.api.weu.digitaltwins.azure.net'";
        assertThat(onUpdate(filter)).isTrue();
        Map<String, String> other = new HashMap<>(TWIN_UPDATE);
        other.put("source", "other.api.weu.digitaltwins.azure.net");
        assertThat(matches(filter, other, PATCH)).isFalse();
    }

    @Test
    void trueRoutesEverythingAndFalseNothing() {
        EventFilter all = EventFilter.parse("true");
        EventFilter none = EventFilter.parse("false");
        assertThat(all.isConstant()).isTrue();
        assertThat(all.constantValue()).isTrue();
        assertThat(none.isConstant()).isTrue();
        assertThat(none.constantValue()).isFalse();
        assertThat(all.matches(Map.of(), null)).isTrue();
        assertThat(all.matches(TWIN_UPDATE, PATCH)).isTrue();
        assertThat(none.matches(TWIN_UPDATE, PATCH)).isFalse();
        assertThat(EventFilter.parse(" ( TRUE ) ").constantValue()).isTrue();
        assertThat(EventFilter.parse("False").constantValue()).isFalse();
    }

    @Test
    void onlyABareConstantIsConstant() {
        EventFilter compound = EventFilter.parse("true AND false");
        assertThat(compound.isConstant()).isFalse();
        assertThat(compound.matches(TWIN_UPDATE, PATCH)).isFalse();
        assertThat(EventFilter.parse("NOT false").isConstant()).isFalse();
        assertThat(EventFilter.parse("NOT false").matches(Map.of(), null)).isTrue();
        EventFilter typed = EventFilter.parse("type = 'x'");
        assertThat(typed.isConstant()).isFalse();
        assertThatThrownBy(typed::constantValue).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void touchesAPatchedProperty() {
        assertThat(onUpdate("TOUCHES($body.patch, '/Temperature')")).isTrue();
        assertThat(onUpdate("TOUCHES($body.patch, '/Humidity')")).isFalse();
        assertThat(onUpdate("type = 'Microsoft.DigitalTwins.Twin.Update' AND touches($body.patch, '/Temperature')"))
                .isTrue();
    }

    // ---- fields ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "type = 'Microsoft.DigitalTwins.Twin.Update'",
            "source = 'mytwins.api.weu.digitaltwins.azure.net'",
            "subject = 'room1'",
            "id = '7d1f8a2e'",
            "dataschema = 'dtmi:ex:Room;1'",
            "datacontenttype = 'application/json'",
            "specversion = '1.0'",
            "time = '2024-03-01T10:15:00Z'"})
    void everyAttributeIsAField(String filter) {
        assertThat(onUpdate(filter)).isTrue();
        assertThat(matches(filter, Map.of(), PATCH)).as("the attribute is missing").isFalse();
    }

    @Test
    void attributesAreStrings() {
        assertThat(onUpdate("specversion = 1.0")).as("'1.0' is a string, not a number").isFalse();
        assertThat(onUpdate("specversion != 1.0")).isTrue();
        assertThat(onUpdate("specversion = \"1.0\"")).isTrue();
    }

    @Test
    void timeComparesAsAString() {
        assertThat(onUpdate("time > '2024-03-01T10:00:00Z' AND time < '2024-03-02T00:00:00Z'")).isTrue();
        assertThat(onUpdate("time >= '2024-03-01T10:15:00Z' AND time <= '2024-03-01T10:15:00Z'")).isTrue();
        assertThat(onUpdate("time < '2023-12-31T23:59:59Z'")).isFalse();
    }

    @Test
    void bodyPaths() {
        String data = "{\"my-prop\":{\"x\":7},\"a b\":\"spaced\",\"it's\":1,"
                + "\"patch\":[{\"op\":\"add\",\"path\":\"/p\"},"
                + "{\"op\":\"remove\",\"path\":\"/q\"}],\"obj\":{\"0\":\"zero\"},\"$metadata\":{\"$model\":\"m\"}}";
        assertThat(onData("$body['my-prop'].x = 7", data)).isTrue();
        assertThat(onData("$body[\"a b\"] = 'spaced'", data)).isTrue();
        assertThat(onData("$body['it''s'] = 1", data)).as("a doubled quote escapes it").isTrue();
        assertThat(onData("$body.patch[0].path = '/p'", data)).isTrue();
        assertThat(onData("$body.patch[1].op = 'remove'", data)).isTrue();
        assertThat(onData("$body . patch [ 1 ] . op = 'remove'", data)).as("spaces between steps").isTrue();
        assertThat(onData("IS_DEFINED($body.patch[2])", data)).as("past the end").isFalse();
        assertThat(onData("IS_DEFINED($body.patch[2147483647])", data)).isFalse();
        assertThat(onData("IS_DEFINED($body.obj[0])", data)).as("an index does not name an object member").isFalse();
        assertThat(onData("$body.obj['0'] = 'zero'", data)).isTrue();
        assertThat(onData("IS_DEFINED($body.patch.op)", data)).as("a name does not step into an array").isFalse();
        assertThat(onData("$body.$metadata['$model'] = 'm'", data)).isTrue();
        assertThat(onData("$body.and = 1 OR $body.TRUE = 1 OR $body.type = 1", "{\"type\":1}"))
                .as("keywords and attribute names are property names after a dot").isTrue();
        assertThat(matches("$body = 'whole'", Map.of(), Json.parse("\"whole\""))).isTrue();
    }

    @Test
    void fieldComparedWithField() {
        assertThat(onValues("subject = $body.$dtId")).isTrue();
        assertThat(onValues("$body.$dtId = subject AND $body.n > $body.d")).isTrue();
        assertThat(onValues("id = $body.$dtId")).isFalse();
    }

    @Test
    void aBareFieldIsTrueOnlyWhenItHoldsJsonTrue() {
        assertThat(onValues("$body.t")).isTrue();
        assertThat(onValues("$body.f")).isFalse();
        assertThat(onValues("NOT $body.f")).isTrue();
        assertThat(onValues("$body.s")).as("a string is not true").isFalse();
        assertThat(onValues("$body.n")).isFalse();
        assertThat(onValues("$body.missing")).isFalse();
        assertThat(onData("$body.enabled AND $body.on", "{\"enabled\":true,\"on\":\"true\"}")).isFalse();
    }

    // ---- literals and operators --------------------------------------------------------------------------

    @Test
    void stringLiteralsInEitherQuote() {
        assertThat(onData("$body.s = 'O''Brien''s'", "{\"s\":\"O'Brien's\"}")).isTrue();
        assertThat(onData("$body.s = \"say \"\"hi\"\"\"", "{\"s\":\"say \\\"hi\\\"\"}")).isTrue();
        assertThat(onData("$body.s = \"it's\"", "{\"s\":\"it's\"}")).isTrue();
        assertThat(onData("$body.s = 'a\\b'", "{\"s\":\"a\\\\b\"}")).as("a backslash is literal").isTrue();
        assertThat(onData("$body.s = ''", "{\"s\":\"\"}")).isTrue();
        assertThat(onData("$body.s = 'temp\u00e9rature \uD83C\uDF21'", "{\"s\":\"temp\u00e9rature \uD83C\uDF21\"}"))
                .isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "$body.n = 5", "$body.n = 5.0", "$body.n = 5e0", "$body.n = 0.5E1", "$body.n = 50e-1",
            "$body.d = 2.5", "$body.d = 2.500", "$body.neg = -3", "$body.neg < -2.99", "$body.neg > -3e1",
            "$body.big = 1e400", "$body.big > 9.9e399", "$body.n < 1e999999", "$body.n > -1e999999",
            "$body.huge = 123456789012345678901234567890", "$body.tiny > 0 AND $body.tiny < 1e-300"})
    void numbersCompareAsExactDecimals(String filter) {
        assertThat(onData(filter, "{\"n\":5,\"d\":2.5,\"neg\":-3,\"big\":1e400,"
                + "\"huge\":123456789012345678901234567890,\"tiny\":1e-320}")).isTrue();
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', value = {
            // numbers: every operator
            "$body.n = 5 | true", "$body.n != 5 | false", "$body.n <> 4 | true", "$body.n < 6 | true",
            "$body.n <= 5 | true", "$body.n > 5 | false", "$body.n >= 5.0 | true", "$body.n < 5 | false",
            // strings: exact and lexicographic
            "$body.s = 'b' | true", "$body.s = 'B' | false", "$body.s != 'c' | true", "$body.s < 'c' | true",
            "$body.s > 'a' | true", "$body.s >= 'b' | true", "$body.s < 'B' | false", "$body.s <= 'ba' | true",
            // booleans: equality only
            "$body.t = true | true", "$body.t = TRUE | true", "$body.t != false | true", "$body.t <> true | false",
            "$body.t > false | false", "$body.t >= true | false", "$body.f = false | true",
            // JSON null
            "$body.z = null | true", "$body.z != null | false", "$body.z = NULL | true", "$body.z < null | false",
            "$body.z != 'a' | true", "$body.z = 'a' | false",
            // different types: only != holds
            "$body.s = 5 | false", "$body.s != 5 | true", "$body.s < 5 | false", "$body.s > 5 | false",
            "$body.n = '5' | false", "$body.n != '5' | true", "$body.t = 'true' | false", "$body.t != 1 | true",
            "$body.o != 'x' | true", "$body.a = 1 | false", "$body.a != 1 | true",
            // objects and arrays are not compared with each other
            "$body.o = $body.o | false", "$body.o != $body.o | false", "$body.a = $body.a | false",
            "$body.o != null | true", "$body.a = null | false",
            // literal against literal
            "1 = 1.0 | true", "'a' < 'b' | true", "null = null | true", "null != null | false"})
    void comparisonTable(String filter, boolean expected) {
        assertThat(onValues(filter)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', value = {
            "$body.missing = null | true", "$body.missing != null | false", "$body.missing = 'a' | false",
            "$body.missing != 'a' | false", "$body.missing <> 'a' | false", "$body.missing < 1 | false",
            "$body.missing >= 1 | false", "$body.missing = $body.other | false",
            "$body.missing != $body.other | false", "$body.missing = $body.z | true", "null = $body.missing | true",
            "NOT ($body.missing = 'a') | true", "$body.n.deeper = null | true", "$body.s[0] = null | true"})
    void missingFieldsAreSqlUnknown(String filter, boolean expected) {
        assertThat(onValues(filter)).isEqualTo(expected);
    }

    @Test
    void missingAttributesAndData() {
        assertThat(matches("subject = null", Map.of("type", "t"), null)).isTrue();
        assertThat(matches("subject != 'room1'", Map.of("type", "t"), null)).isFalse();
        Map<String, String> withNull = new HashMap<>();
        withNull.put("subject", null);
        assertThat(matches("subject = null AND type = null", withNull, null)).isTrue();
        assertThat(matches("$body = null AND NOT IS_DEFINED($body)", Map.of(), null)).isTrue();
        assertThat(matches("IS_DEFINED($body) AND $body = null", Map.of(), JsonNodeFactory.instance.nullNode()))
                .isTrue();
        assertThat(matches("$body.x = null", null, Json.parse("[1]"))).isTrue();
    }

    @Test
    void precedenceIsNotThenAndThenOr() {
        // a OR b AND c is a OR (b AND c)
        assertThat(onValues("$body.t OR $body.f AND $body.f")).isTrue();
        assertThat(onValues("($body.t OR $body.f) AND $body.f")).isFalse();
        // NOT a AND b is (NOT a) AND b
        assertThat(onValues("NOT $body.f AND $body.f")).isFalse();
        assertThat(onValues("NOT ($body.f AND $body.f)")).isTrue();
        assertThat(onValues("NOT NOT $body.t")).isTrue();
        assertThat(onValues("not $body.f and $body.t Or $body.f")).as("keywords ignore case").isTrue();
        assertThat(onValues("$body.f OR $body.f OR $body.n = 5 AND $body.s = 'b'")).isTrue();
    }

    // ---- functions ---------------------------------------------------------------------------------------

    @Test
    void stringFunctions() {
        assertThat(onUpdate("STARTS_WITH(type, 'Microsoft.DigitalTwins.')")).isTrue();
        assertThat(onUpdate("starts_with(type, 'microsoft')")).as("names ignore case, values do not").isFalse();
        assertThat(onUpdate("ENDS_WITH(type, '.Update') AND Ends_With(source, '.azure.net')")).isTrue();
        assertThat(onUpdate("ENDS_WITH(type, '.Create')")).isFalse();
        assertThat(onUpdate("CONTAINS($body.modelId, ':Room;') AND contains(subject, 'oom')")).isTrue();
        assertThat(onUpdate("CONTAINS($body.modelId, 'Floor')")).isFalse();
        assertThat(onUpdate("STARTS_WITH(type, '')")).isTrue();
        assertThat(onUpdate("STARTS_WITH($body.modelId, $body.modelId)")).as("a field as the prefix").isTrue();
        assertThat(onValues("STARTS_WITH($body.n, '5')")).as("a number is not a string").isFalse();
        assertThat(onValues("CONTAINS($body.a, '1')")).isFalse();
        assertThat(onValues("ENDS_WITH($body.missing, '')")).isFalse();
        assertThat(onValues("NOT CONTAINS($body.missing, 'x')")).isTrue();
    }

    @Test
    void isDefined() {
        assertThat(onValues("IS_DEFINED($body.z)")).as("JSON null is defined").isTrue();
        assertThat(onValues("IS_DEFINED($body.o.k) AND is_defined(subject)")).isTrue();
        assertThat(onValues("IS_DEFINED($body.missing)")).isFalse();
        assertThat(matches("IS_DEFINED(dataschema)", Map.of("type", "t"), null)).isFalse();
    }

    @ParameterizedTest(name = "{0} touches {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "/Temperature | /Temperature | true",
            "/Temperature/x | /Temperature | true",
            "/thermostat | /thermostat/temp | true",
            "/thermostat/temp | /thermostat/temp | true",
            "/Temperature2 | /Temperature | false",
            "/Temp | /Temperature | false",
            "/a/b | /a/c | false",
            "/a~1b | /a~1b | true",
            "/a~1b/c | /a~1b | true",
            "/a/b | /a~1b | false",
            "'' | /anything | true",
            "/anything | '' | true"})
    void touchesComparesPointers(String changed, String watched, boolean expected) {
        String data = "{\"patch\":[{\"op\":\"add\",\"path\":\"/other\"},{\"op\":\"replace\",\"path\":\""
                + changed.replace("'", "") + "\",\"value\":1}]}";
        assertThat(onData("TOUCHES($body.patch, '" + watched.replace("'", "") + "')", data)).isEqualTo(expected);
    }

    @Test
    void touchesNeedsAJsonPatch() {
        String filter = "TOUCHES($body.patch, '/Temperature')";
        assertThat(onData(filter, "{\"patch\":[]}")).isFalse();
        assertThat(onData(filter, "{\"patch\":{\"op\":\"add\",\"path\":\"/Temperature\"}}"))
                .as("not an array").isFalse();
        assertThat(onData(filter, "{\"patch\":[{\"path\":\"/Temperature\"}]}")).as("no op").isFalse();
        assertThat(onData(filter, "{\"patch\":[{\"op\":\"add\",\"path\":5}]}")).isFalse();
        assertThat(onData(filter, "{\"patch\":[{\"op\":\"add\",\"path\":\"/Temperature\"},7]}"))
                .as("one item is no operation").isFalse();
        assertThat(onData(filter, "{\"other\":[{\"op\":\"add\",\"path\":\"/Temperature\"}]}")).isFalse();
        assertThat(matches(filter, TWIN_UPDATE, null)).isFalse();
        assertThat(onData("TOUCHES($body.changes.patch, '/T')",
                "{\"changes\":{\"patch\":[{\"op\":\"remove\",\"path\":\"/T\"}]}}")).isTrue();
    }

    // ---- hostile data ------------------------------------------------------------------------------------

    @Test
    void evaluationNeverThrowsAndAFailedComparisonIsFalse() {
        ObjectNode nan = Json.object();
        nan.set("x", DoubleNode.valueOf(Double.NaN));
        nan.set("inf", DoubleNode.valueOf(Double.POSITIVE_INFINITY));
        EventFilter numeric = EventFilter.parse("$body.x = 1 OR $body.x < 1 OR $body.x >= 1 OR $body.inf > 0");
        assertThat(numeric.matches(TWIN_UPDATE, nan)).isFalse();
        assertThat(EventFilter.parse("NOT ($body.x = 1)").matches(TWIN_UPDATE, nan))
                .as("only the comparison is false").isTrue();
        assertThat(EventFilter.parse("$body.x = null").matches(TWIN_UPDATE, nan)).isFalse();

        Map<String, String> hostile = new AbstractMap<>() {
            @Override
            public Set<Entry<String, String>> entrySet() {
                throw new UnsupportedOperationException("no");
            }

            @Override
            public String get(Object key) {
                throw new IllegalStateException("broken map");
            }
        };
        EventFilter typed = EventFilter.parse("type = 'x' OR STARTS_WITH(subject, 'r') OR IS_DEFINED(id)");
        assertThat(typed.matches(hostile, PATCH)).isFalse();
        assertThat(EventFilter.parse("$body.modelId = 'dtmi:ex:Room;1' OR type = 'x'").matches(hostile, PATCH))
                .as("the other side of OR is still evaluated").isTrue();
        assertThat(typed.matches(null, null)).isFalse();
        for (String data : new String[] {"null", "1", "\"s\"", "[]", "[[[]]]", "{\"patch\":null}", "true"}) {
            assertThat(EventFilter.parse("$body.patch[0].path = '/a' OR TOUCHES($body.patch, '/a') OR $body.a.b")
                    .matches(TWIN_UPDATE, Json.parse(data))).as(data).isFalse();
        }
    }

    // ---- errors ------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "<{0}> at {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "NOT ( subject = )| 17 | expected a value after '=' but found ')'",
            "type = | 7 | expected a value after '=' but found end of filter",
            "`` | 1 | expected a condition but found end of filter",
            "`   ` | 4 | expected a condition but found end of filter",
            "Type = 'x' | 1 | unknown field 'Type'; expected one of type, source, subject, id, dataschema, "
                    + "datacontenttype, specversion, time or $body.<path> (field names are case-sensitive)",
            "model = 'x' | 1 | unknown field 'model'",
            "$Body.x = 1 | 1 | unknown field '$Body'",
            "type = 'a' AND | 15 | expected a condition but found end of filter",
            "type = 'a' 'b' | 12 | expected AND, OR or end of filter but found string 'b'",
            "(type = 'a' | 12 | expected AND, OR or ')' to close the '(' at position 1 but found end of filter",
            "type = 'a') | 11 | expected AND, OR or end of filter but found ')'",
            "() | 2 | expected a condition but found ')'",
            "type = 'abc | 8 | expected a closing ' for the string",
            "type = \"abc' | 8 | expected a closing \" for the string",
            "type = 'it''s | 8 | expected a closing '",
            "type == 'a' | 7 | expected a value after '=' but found '='",
            "type ! 'a' | 6 | expected '!=' but found '!'",
            "type | 5 | expected a comparison operator (=, !=, <>, <, <=, > or >=) after 'type' but found end of"
                    + " filter",
            "subject AND true | 9 | expected a comparison operator",
            "5 | 2 | expected a comparison operator",
            "null | 5 | expected a comparison operator",
            "'x' OR true | 5 | expected a comparison operator",
            "$body. = 1 | 8 | expected a property name after '.'",
            "$body.1 = 1 | 7 | expected a property name after '.'",
            "$body[-1] = 1 | 7 | expected a quoted property name or an array index after '['",
            "$body[1.5] = 1 | 7 | expected a quoted property name or an array index",
            "$body[x] = 1 | 7 | expected a quoted property name or an array index",
            "$body[99999999999] = 1 | 7 | expected an array index from 0 to 2147483647",
            "$body['a' = 1 | 11 | expected ']' but found '='",
            "$body.x = 1e99999999999 | 11 | the number 1e99999999999 is out of range",
            "STARTS_WITH(type) | 17 | expected ',' and argument 2 of STARTS_WITH(<field>, '<prefix>') but found ')'",
            "STARTS_WITH(type, 'a', 'b') | 22 | expected ')' to close STARTS_WITH(<field>, '<prefix>') but found ','",
            "STARTS_WITH(type, 5) | 19 | expected a field or a string as argument 2 of STARTS_WITH",
            "CONTAINS(true, 'x') | 10 | expected a field or a string as argument 1 of CONTAINS",
            "ENDS_WITH( | 11 | expected argument 1 of ENDS_WITH(<field>, '<suffix>') but found end of filter",
            "IS_DEFINED('x') | 12 | expected a field (type, source",
            "IS_DEFINED() | 12 | expected argument 1 of IS_DEFINED(<field>) but found ')'",
            "TOUCHES(type, '/a') | 9 | expected a $body path to a JSON Patch as argument 1 of TOUCHES",
            "TOUCHES($body.patch, 'Temperature') | 22 | expected a JSON pointer that starts with '/'",
            "TOUCHES($body.patch, $body.p) | 22 | expected a JSON pointer string such as '/Temperature'",
            "TOUCHES($body.patch, '/a~2') | 22 | expected ~0 or ~1 after '~'",
            "MATCHES(type, 'x') | 1 | unknown function 'MATCHES'; expected one of STARTS_WITH, ENDS_WITH, CONTAINS,"
                    + " TOUCHES, IS_DEFINED",
            "type = STARTS_WITH(type, 'x') | 8 | a function is a condition, not a value",
            "STARTS_WITH(type, 'x') = true | 24 | expected AND, OR or end of filter but found '='",
            "AND type = 'a' | 1 | expected a condition but found 'AND'",
            "type = 'a' OR OR type = 'b' | 15 | expected a condition but found 'OR'",
            "type = 'a' AND (OR) | 17 | expected a condition but found 'OR'",
            "type = 'a' # | 12 | expected a field, value, operator or parenthesis but found character '#'",
            "type = 'a' ; | 12 | but found character ';'",
            "type = \u00e9 | 8 | but found character '\u00e9'",
            "`type = 'a' AND \u00a0` | 16 | but found character U+00A0",
            "type = 'a' \u200b | 12 | but found character U+200B",
            "type = 'a' \uD83D\uDE00 | 12 | but found character '\uD83D\uDE00'",
            "type = 'a' \uDE00 | 12 | but found character U+DE00"})
    void errorsNameThePositionAndWhatWasExpected(String filter, int position, String expected) {
        assertError(filter, position, expected);
    }

    @Test
    void controlCharactersAreNamedByCodePoint() {
        // apart from the CSV table: its parser drops a NUL
        assertError("type = 'a' \u0000", 12, "but found character U+0000");
        assertError("type = 'a'\u001b[31m", 11, "but found character U+001B");
        assertError("type = 'a' 'b\u0001c'", 12, "found string 'b\\u0001c'");
    }

    @Test
    void nullFilter() {
        assertError(null, 1, "expected a filter such as type = 'Microsoft.DigitalTwins.Twin.Update' or true");
    }

    @Test
    void whitespaceOfAnyKindSeparates() {
        assertThat(onUpdate("\ttype\n=\r\n'Microsoft.DigitalTwins.Twin.Update'\n")).isTrue();
    }

    @Test
    void lengthLimit() {
        String padded = "type = '" + "x".repeat(FilterParser.MAX_LENGTH - 9) + "'";
        assertThat(padded).hasSize(FilterParser.MAX_LENGTH);
        assertThat(EventFilter.parse(padded).matches(withType("x".repeat(FilterParser.MAX_LENGTH - 9)), null)).isTrue();
        assertError(padded + " ", 4097, "the filter is 4097 characters long; expected at most 4096");
        assertError("(".repeat(1_000_000), 4097, "expected at most 4096");
    }

    @Test
    void nestingLimit() {
        String deepest = "(".repeat(32) + "$body.t" + ")".repeat(32);
        assertThat(onValues(deepest)).isTrue();
        assertError("(".repeat(33) + "$body.t" + ")".repeat(33), 33, "nested more than 32 levels deep");
        assertThat(onValues("NOT ".repeat(32) + "$body.t")).isTrue();
        assertError("NOT ".repeat(33) + "$body.t", 129, "nested more than 32 levels deep");
        assertError("NOT (".repeat(17) + "true" + ")".repeat(17), 81, "nested more than 32 levels deep");
        assertError("(".repeat(4096), 33, "nested more than 32 levels deep");
        String wide = "$body.t" + " AND $body.t".repeat(300);
        assertThat(onValues(wide)).as("length is not depth").isTrue();
    }

    @Test
    void textIsKeptAsGiven() {
        String text = "  type = 'x'  OR  true ";
        EventFilter filter = EventFilter.parse(text);
        assertThat(filter.text()).isEqualTo(text);
        assertThat(filter).hasToString(text).isEqualTo(EventFilter.parse(text)).isNotEqualTo(EventFilter.parse("true"));
    }
}
