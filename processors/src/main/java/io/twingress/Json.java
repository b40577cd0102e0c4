package io.twingress;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The one Jackson mapper Twingress uses, and the conversions everything shares. */
public final class Json {

    /**
     * Duplicate keys are refused (an ambiguous twin), numbers keep their exact value (1e400 stays 1e400, never
     * Infinity), text after the document is refused rather than ignored, and nesting is capped well below what
     * would exhaust the stack.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    private Json() {
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /**
     * Parses one JSON document; malformed input, or anything but whitespace after the document, throws
     * {@link IllegalArgumentException} with the reason.
     */
    public static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (MismatchedInputException e) {
            if (e.getOriginalMessage().startsWith("Trailing token")) {
                throw new IllegalArgumentException(trailingText(e), e);
            }
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
    }

    private static String trailingText(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        return "more text follows the JSON document" + (at == null ? "" : " at line " + at.getLineNr() + ", column "
                + at.getColumnNr()) + "; send exactly one JSON value";
    }

    public static ObjectNode parseObject(String text) {
        return (ObjectNode) parse(text);
    }

    /** A number without trailing zeros and never in exponent form (30, not 3E+1 or 30.00). */
    public static java.math.BigDecimal plain(java.math.BigDecimal value) {
        java.math.BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize JSON", e);
        }
    }
}
