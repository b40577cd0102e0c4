package io.twingress.model;

import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/** Checks a JSON value (a property value, a telemetry field) against a resolved DTDL schema. */
public final class SchemaValidator {

    /** java.time's ISO_LOCAL_TIME also accepts {@code hh:mm}; DTDL times always carry seconds. */
    private static final Pattern TIME = Pattern.compile("\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?");

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
        boolean ok = switch (kind) {
            case BOOLEAN -> value.isBoolean();
            case INTEGER -> value.isIntegralNumber() && value.canConvertToInt();
            case LONG -> value.isIntegralNumber() && value.canConvertToLong();
            case DOUBLE, FLOAT -> value.isNumber();
            case STRING -> value.isTextual();
            case DATE -> value.isTextual() && parses(() -> LocalDate.parse(value.asText()));
            case DATE_TIME -> value.isTextual() && parses(() -> OffsetDateTime.parse(value.asText()));
            case TIME -> value.isTextual() && TIME.matcher(value.asText()).matches()
                    && parses(() -> LocalTime.parse(value.asText()));
            case DURATION -> value.isTextual() && isDuration(value.asText());
        };
        return ok ? null : "expected " + article(kind) + " but got " + value;
    }

    /**
     * ISO 8601 durations mix date parts ({@link Period}: years, months, weeks, days) and time parts
     * ({@link Duration}: hours, minutes, seconds); java.time parses each half with a different class.
     */
    private static boolean isDuration(String text) {
        int t = text.indexOf('T');
        String datePart = t < 0 ? text : text.substring(0, t);
        boolean hasDate = !datePart.matches("-?P");
        if (!hasDate && t < 0) {
            return false;
        }
        if (hasDate && !parses(() -> Period.parse(datePart))) {
            return false;
        }
        return t < 0 || parses(() -> Duration.parse("P" + text.substring(t)));
    }

    private static boolean parses(Runnable parse) {
        try {
            parse.run();
            return true;
        } catch (DateTimeParseException e) {
            return false;
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
