package io.twingress.model;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

/** Checks a JSON value (a property value, a telemetry field) against a resolved DTDL schema. */
public final class SchemaValidator {

    /** A problem that needs no explanation beyond "expected X but got Y": the value is not even of X's JSON type. */
    private static final String WRONG_TYPE = "";

    private SchemaValidator() {
    }

    /** @return null when {@code value} conforms to {@code schema}, else a short message naming the problem */
    public static String validate(Schema schema, JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "expected " + describe(schema) + " but got null";
        }
        if (schema instanceof Schema.Primitive p) {
            return primitive(p.kind(), value);
        } else if (schema instanceof Schema.EnumSchema e) {
            return enumValue(e, value);
        } else if (schema instanceof Schema.ObjectSchema o) {
            return object(o, value);
        } else if (schema instanceof Schema.MapSchema m) {
            return map(m, value);
        }
        return array((Schema.ArraySchema) schema, value);
    }

    private static String primitive(Schema.PrimitiveKind kind, JsonNode value) {
        String problem = switch (kind) {
            case BOOLEAN -> value.isBoolean() ? null : WRONG_TYPE;
            case INTEGER -> integral(value, value.canConvertToInt(), "an integer is 32-bit, -2147483648 to 2147483647");
            case LONG -> integral(value, value.canConvertToLong(),
                    "a long is 64-bit, -9223372036854775808 to 9223372036854775807");
            // finite once rounded, so that every client reads a number back rather than an error or Infinity
            case DOUBLE -> !value.isNumber() ? WRONG_TYPE : Double.isFinite(value.doubleValue()) ? null
                    : "it is beyond the range of a double, at most " + Double.MAX_VALUE + " either side of zero";
            case FLOAT -> !value.isNumber() ? WRONG_TYPE : Float.isFinite(value.floatValue()) ? null
                    : "it is beyond the range of a float, at most " + Float.MAX_VALUE + " either side of zero";
            case STRING -> value.isTextual() ? null : WRONG_TYPE;
            case DATE -> text(value, Rfc3339::checkDate);
            case DATE_TIME -> text(value, Rfc3339::toInstant);
            case TIME -> text(value, Rfc3339::checkTime);
            case DURATION -> value.isTextual() ? IsoDuration.problem(value.asText()) : WRONG_TYPE;
            case POINT, MULTI_POINT, LINE_STRING, MULTI_LINE_STRING, POLYGON, MULTI_POLYGON -> geometry(kind, value);
        };
        if (problem == null) {
            return null;
        }
        String expected = "expected " + article(kind) + " but got " + value;
        return problem.equals(WRONG_TYPE) ? expected : expected + ": " + problem;
    }

    /** A GeoJSON geometry object of the schema's type: {@code type} and {@code coordinates}, nothing else. */
    private static String geometry(Schema.PrimitiveKind kind, JsonNode value) {
        if (!value.isObject()) {
            return WRONG_TYPE;
        }
        for (String member : (Iterable<String>) value::fieldNames) {
            if (!member.equals("type") && !member.equals("coordinates")) {
                return "'" + member + "' is not a member of a " + kind.geoJsonType() + " (type and coordinates)";
            }
        }
        if (!kind.geoJsonType().equals(value.path("type").asText(null))) {
            return "its type must be \"" + kind.geoJsonType() + "\"";
        }
        JsonNode c = value.get("coordinates");
        String problem = switch (kind) {
            case POINT -> position(c);
            case MULTI_POINT -> each(c, 0, SchemaValidator::position);
            case LINE_STRING -> lineString(c);
            case MULTI_LINE_STRING -> each(c, 0, SchemaValidator::lineString);
            case POLYGON -> polygon(c);
            default -> each(c, 0, SchemaValidator::polygon);
        };
        return problem == null ? null : "coordinates: " + problem;
    }

    private static String position(JsonNode c) {
        if (c == null || !c.isArray() || c.size() < 2 || c.size() > 3) {
            return "a position is an array of 2 or 3 numbers, got " + c;
        }
        for (JsonNode n : c) {
            if (!n.isNumber() || !Double.isFinite(n.doubleValue())) {
                return "a position is an array of 2 or 3 numbers, got " + c;
            }
        }
        return null;
    }

    private static String lineString(JsonNode c) {
        return each(c, 2, SchemaValidator::position);
    }

    /** Linear rings: each of at least four positions, the last the same as the first. */
    private static String polygon(JsonNode c) {
        return each(c, 0, ring -> {
            String problem = each(ring, 4, SchemaValidator::position);
            return problem != null || ring.get(0).equals(ring.get(ring.size() - 1)) ? problem
                    : "a linear ring ends where it starts, got " + ring;
        });
    }

    private static String each(JsonNode c, int min, Function<JsonNode, String> check) {
        if (c == null || !c.isArray() || c.size() < min) {
            return (min > 0 ? "expected an array of at least " + min + " elements" : "expected an array") + ", got " + c;
        }
        for (JsonNode element : c) {
            String problem = check.apply(element);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private static String integral(JsonNode value, boolean fits, String range) {
        return !value.isIntegralNumber() ? WRONG_TYPE : fits ? null : range;
    }

    private static String text(JsonNode value, Consumer<String> check) {
        if (!value.isTextual()) {
            return WRONG_TYPE;
        }
        try {
            check.accept(value.asText());
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static String enumValue(Schema.EnumSchema schema, JsonNode value) {
        for (Schema.EnumValue candidate : schema.values()) {
            boolean matches = candidate.value() instanceof Integer i
                    ? value.isIntegralNumber() && value.canConvertToInt() && value.asInt() == i
                    : value.isTextual() && value.asText().equals(candidate.value());
            if (matches) {
                return null;
            }
        }
        return value + " is not one of the enum values " + schema.values().stream()
                .map(v -> v.value() instanceof String s ? "\"" + s + "\"" : String.valueOf(v.value()))
                .toList();
    }

    private static String object(Schema.ObjectSchema schema, JsonNode value) {
        if (!value.isObject()) {
            return "expected an object but got " + value;
        }
        for (Map.Entry<String, JsonNode> field : value.properties()) {
            Schema fieldSchema = schema.fields().get(field.getKey());
            if (fieldSchema == null) {
                return "'" + field.getKey() + "' is not a field of the object";
            }
            String problem = validate(fieldSchema, field.getValue());
            if (problem != null) {
                return "field '" + field.getKey() + "': " + problem;
            }
        }
        return null;
    }

    private static String map(Schema.MapSchema schema, JsonNode value) {
        if (!value.isObject()) {
            return "expected a map (JSON object) but got " + value;
        }
        for (Map.Entry<String, JsonNode> entry : value.properties()) {
            String problem = validate(schema.valueSchema(), entry.getValue());
            if (problem != null) {
                return "key '" + entry.getKey() + "': " + problem;
            }
        }
        return null;
    }

    private static String array(Schema.ArraySchema schema, JsonNode value) {
        if (!value.isArray()) {
            return "expected an array but got " + value;
        }
        for (int i = 0; i < value.size(); i++) {
            String problem = validate(schema.elementSchema(), value.get(i));
            if (problem != null) {
                return "element " + i + ": " + problem;
            }
        }
        return null;
    }

    private static String describe(Schema schema) {
        if (schema instanceof Schema.Primitive p) {
            return article(p.kind());
        } else if (schema instanceof Schema.EnumSchema) {
            return "one of the enum values";
        } else if (schema instanceof Schema.ObjectSchema) {
            return "an object";
        }
        return schema instanceof Schema.MapSchema ? "a map" : "an array";
    }

    private static String article(Schema.PrimitiveKind kind) {
        return switch (kind) {
            case INTEGER -> "an integer";
            case LONG -> "a long integer";
            case DATE_TIME -> "a dateTime";
            default -> "a " + kind.dtdlName();
        };
    }
}
