package io.twingress.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.NullNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SchemaValidatorTest {

    private static Schema primitive(String dtdlName) {
        for (Schema.PrimitiveKind kind : Schema.PrimitiveKind.values()) {
            if (kind.dtdlName().equals(dtdlName)) {
                return new Schema.Primitive(kind);
            }
        }
        throw new IllegalArgumentException(dtdlName);
    }

    /** Parsed as the service parses request bodies, so 1e400 arrives as the exact number, not as Infinity. */
    private static String validate(Schema schema, String json) {
        return SchemaValidator.validate(schema, TestModels.json(json));
    }

    @ParameterizedTest(name = "{0} accepts {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "boolean  | true",
            "integer  | 42",
            "integer  | -2147483648",
            "long     | 9223372036854775807",
            "double   | 1.5",
            "double   | 3",
            "float    | -0.25",
            "string   | 'abc'",
            "date     | '2024-02-29'",
            "dateTime | '2024-05-01T12:30:00Z'",
            "dateTime | '2024-05-01T12:30:00.123+02:00'",
            "time     | '23:59:59'",
            "time     | '08:15:00.250'",
            "duration | 'P1DT2H'",
            "duration | 'PT15M'",
            "duration | 'P1Y2M3W'",
            "duration | 'PT0.5S'",
    })
    void primitivesAcceptConformingValues(String schema, String value) {
        assertThat(validate(primitive(schema), value)).isNull();
    }

    @ParameterizedTest(name = "{0} rejects {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "boolean  | 'true'",
            "integer  | 'abc'",
            "integer  | 1.5",
            "integer  | 2147483648",
            "long     | 9223372036854775808",
            "double   | '1.5'",
            "string   | 5",
            "date     | '2024-02-30'",
            "date     | '2024-5-1'",
            "dateTime | '2024-05-01T12:30:00'",
            "dateTime | 'yesterday'",
            "time     | '24:00:00'",
            "time     | '08:15'",
            "duration | 'P'",
            "duration | 'PT'",
            "duration | '1 day'",
            "duration | 'P2H'",
    })
    void primitivesRejectOtherValues(String schema, String value) {
        assertThat(validate(primitive(schema), value)).startsWith("expected a");
    }

    @Test
    void messagesQuoteTheOffendingValue() {
        assertThat(validate(primitive("integer"), "'abc'")).isEqualTo("expected an integer but got \"abc\"");
        assertThat(validate(primitive("dateTime"), "'noon'")).isEqualTo("expected a dateTime but got \"noon\": write"
                + " it as yyyy-MM-ddThh:mm:ss, optionally with a fraction of a second, and Z or an offset such as"
                + " +02:00, e.g. 2024-05-01T12:30:00Z");
    }

    @ParameterizedTest(name = "{0} accepts {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "double   | 1.7976931348623157e308",
            "double   | -1.7976931348623157e308",
            "double   | 9223372036854775808",
            "float    | 3.4028235e38",
            "float    | -3.4e38",
            "integer  | 2147483647",
            "long     | -9223372036854775808",
            "date     | '0001-01-01'",
            "date     | '9999-12-31'",
            "dateTime | '2016-12-31T23:59:60Z'",
            "dateTime | '2024-05-01T12:30:00.123456789+14:00'",
            "dateTime | '0001-01-01T00:00:00Z'",
            "dateTime | '9999-12-31T23:59:59.999999999Z'",
            "time     | '23:59:60'",
            "time     | '00:00:00.123456789'",
            "duration | 'P1W'",
            "duration | '-P1D'",
            "duration | 'PT1M0.000000001S'",
    })
    void primitivesAcceptValuesAtTheEdgeOfTheirRange(String schema, String value) {
        assertThat(validate(primitive(schema), value)).isNull();
    }

    @ParameterizedTest(name = "{0} rejects {1}: {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "double   | 1e400                            | beyond the range of a double",
            "double   | -1e400                           | beyond the range of a double",
            "double   | 1.8e308                          | beyond the range of a double",
            "float    | 3.5e38                           | beyond the range of a float",
            "float    | -1e39                            | beyond the range of a float",
            "integer  | 2147483648                       | 32-bit",
            "integer  | -2147483649                      | 32-bit",
            "long     | 9223372036854775808              | 64-bit",
            "long     | -9223372036854775809             | 64-bit",
            "date     | '0000-01-01'                     | 0001 to 9999",
            "date     | '+10000-01-01'                   | 0001 to 9999",
            "dateTime | '2024-01-01T10:00Z'              | the seconds are missing",
            "dateTime | '10000-01-01T00:00:00Z'          | 0001 to 9999",
            "dateTime | '2024-01-01T10:00:00.1234567890Z' | at most 9 digits",
            "time     | '08:15'                          | the seconds are missing",
            "time     | '23:59:59.1234567890'            | at most 9 digits",
            "duration | 'p1d'                            | upper-case",
            "duration | 'P-1D'                           | no sign",
            "duration | 'PT-1H'                          | no sign",
            "duration | 'P999999999W'                    | at most 999999999 days",
    })
    void primitivesSayWhyAValueIsOutOfRange(String schema, String value, String reason) {
        assertThat(validate(primitive(schema), value)).startsWith("expected a").contains(reason);
    }

    @Test
    void aNumberTooLargeForEveryNumericSchemaIsRefusedByEach() {
        String huge = "1" + "0".repeat(400);
        for (String schema : List.of("integer", "long", "double", "float")) {
            assertThat(validate(primitive(schema), huge)).as(schema).startsWith("expected a");
        }
    }

    @Test
    void nullIsRejectedForEverySchema() {
        assertThat(SchemaValidator.validate(primitive("string"), NullNode.getInstance()))
                .isEqualTo("expected a string but got null");
        assertThat(SchemaValidator.validate(new Schema.ObjectSchema(Map.of()), null))
                .isEqualTo("expected an object but got null");
    }

    @Test
    void enumsAcceptOnlyTheirValues() {
        Schema integers = new Schema.EnumSchema(Schema.PrimitiveKind.INTEGER,
                List.of(new Schema.EnumValue("one", 1), new Schema.EnumValue("two", 2)));
        assertThat(validate(integers, "2")).isNull();
        assertThat(validate(integers, "7")).isEqualTo("7 is not one of the enum values [1, 2]");
        assertThat(validate(integers, "'one'")).isEqualTo("\"one\" is not one of the enum values [1, 2]");

        Schema strings = new Schema.EnumSchema(Schema.PrimitiveKind.STRING,
                List.of(new Schema.EnumValue("on", "ON"), new Schema.EnumValue("off", "OFF")));
        assertThat(validate(strings, "'ON'")).isNull();
        assertThat(validate(strings, "'on'")).isEqualTo("\"on\" is not one of the enum values [\"ON\", \"OFF\"]");
    }

    @Test
    void objectsAllowOnlyDeclaredFieldsAndMayOmitSome() {
        Map<String, Schema> fields = new LinkedHashMap<>();
        fields.put("lat", primitive("double"));
        fields.put("label", primitive("string"));
        Schema point = new Schema.ObjectSchema(fields);
        assertThat(validate(point, "{'lat':1.5}")).isNull();
        assertThat(validate(point, "{'lat':1.5,'Unknown':1}")).isEqualTo("'Unknown' is not a field of the object");
        assertThat(validate(point, "{'label':3}")).isEqualTo("field 'label': expected a string but got 3");
        assertThat(validate(point, "[1]")).isEqualTo("expected an object but got [1]");
    }

    @Test
    void mapsValidateEveryValue() {
        Schema map = new Schema.MapSchema("room", "temp", primitive("double"));
        assertThat(validate(map, "{'a':1,'b':2.5}")).isNull();
        assertThat(validate(map, "{'a':1,'b':'warm'}")).isEqualTo("key 'b': expected a double but got \"warm\"");
        assertThat(validate(map, "'a'")).startsWith("expected a map");
    }

    @Test
    void arraysValidateEveryElement() {
        Schema array = new Schema.ArraySchema(primitive("integer"));
        assertThat(validate(array, "[1,2,3]")).isNull();
        assertThat(validate(array, "[1,'x']")).isEqualTo("element 1: expected an integer but got \"x\"");
        assertThat(validate(array, "[1,null]")).isEqualTo("element 1: expected an integer but got null");
        assertThat(validate(array, "{}")).isEqualTo("expected an array but got {}");
    }

    @Test
    void nestedSchemasNameThePath() {
        Schema nested = new Schema.ObjectSchema(Map.of("readings", new Schema.MapSchema("k", "v",
                new Schema.ArraySchema(primitive("long")))));
        assertThat(validate(nested, "{'readings':{'x':[1,2.5]}}"))
                .isEqualTo("field 'readings': key 'x': element 1: expected a long integer but got 2.5");
    }
}
