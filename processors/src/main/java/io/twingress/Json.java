package io.twingress;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ValueNode;

/** The one Jackson mapper Twingress uses, and the conversions everything shares. */
public final class Json {

    /**
     * Duplicate keys are refused (an ambiguous twin), numbers keep their exact value (1e400 stays 1e400, never
     * Infinity), text after the document is refused rather than ignored, and nesting is capped well below what
     * would exhaust the stack.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .nodeFactory(new PlainNumbers())
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
            throw new IllegalArgumentException(reason(e), e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(reason(e), e);
        }
    }

    /** Jackson's own reference to where an object or array began, with the source it does not show. */
    private static final Pattern SOURCE_LOCATION = Pattern.compile("\\[Source: .*?; line: (\\d+), column: (\\d+)]");

    /**
     * Why the text is not JSON, and where: Jackson's message without its notes on the source it does not show
     * ({@code [Source: REDACTED ...]}), and the line and column it stopped at.
     */
    private static String reason(JsonProcessingException e) {
        return SOURCE_LOCATION.matcher(e.getOriginalMessage()).replaceAll("line $1, column $2") + where(e);
    }

    /** Where parsing stopped, as " (at line L, column C)", or nothing if Jackson does not say. */
    private static String where(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 1 ? "" : " (at line " + at.getLineNr() + ", column " + at.getColumnNr()
                + ")";
    }

    /**
     * Parses a document that arrived as bytes: they must be UTF-8 (RFC 8259, section 8.1), and no string or name may
     * hold half of a UTF-16 surrogate pair (JSON's escapes can write {@code "\\ud800"} alone; no UTF-8 text holds it,
     * so it would be stored and read back as {@code ?}). Bytes that are not UTF-8 are refused, not replaced with
     * U+FFFD, which would keep text nobody sent. Throws {@link IllegalArgumentException} with the reason.
     */
    public static JsonNode parseSent(byte[] bytes) {
        return parseSent(utf8(bytes));
    }

    /**
     * As {@link #parseSent(byte[])}, for text already decoded as strict UTF-8. A leading byte order mark is ignored,
     * as RFC 8259 lets a reader do (some Windows tools write one).
     */
    public static JsonNode parseSent(String sent) {
        String text = sent.startsWith("\uFEFF") ? sent.substring(1) : sent;
        JsonNode json = parse(text);
        if (text.contains("\\u")) {
            refuseLoneSurrogates(json);
        }
        return json;
    }

    /** The bytes as UTF-8 text; {@link IllegalArgumentException} if they are not UTF-8. */
    public static String utf8(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                try {
                    return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
                } catch (CharacterCodingException e) {
                    throw new IllegalArgumentException("the bytes are not UTF-8, which JSON must be", e);
                }
            }
        }
        // ASCII alone: every byte is its character
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static void refuseLoneSurrogates(JsonNode root) {
        Deque<JsonNode> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            JsonNode node = todo.pop();
            if (node.isTextual()) {
                refuseLoneSurrogate(node.textValue());
            } else if (node.isObject()) {
                node.fields().forEachRemaining(field -> {
                    refuseLoneSurrogate(field.getKey());
                    todo.push(field.getValue());
                });
            } else if (node.isArray()) {
                node.forEach(todo::push);
            }
        }
    }

    private static void refuseLoneSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("a string holds half of a UTF-16 surrogate pair (\\u"
                        + Integer.toHexString(c) + " alone), which no UTF-8 text can hold");
            }
        }
    }

    private static String trailingText(JsonProcessingException e) {
        return "more text follows the JSON document" + where(e) + "; send exactly one JSON value";
    }

    public static ObjectNode parseObject(String text) {
        return (ObjectNode) parse(text);
    }

    /**
     * A number without trailing zeros, and a whole one below 10^21 not in exponent form (30, not 3E+1 or 30.00), as
     * JavaScript and .NET print a double. A larger one keeps its exponent: 1e400 written out would be 401 digits.
     */
    public static java.math.BigDecimal plain(java.math.BigDecimal value) {
        java.math.BigDecimal stripped = value.stripTrailingZeros();
        // in long: a scale near Integer.MIN_VALUE (1e2147483647) would overflow the digit count
        boolean small = (long) stripped.precision() - stripped.scale() <= 21;
        return stripped.scale() < 0 && small ? stripped.setScale(0) : stripped;
    }

    /**
     * The mapper's nodes: a decimal number is kept {@link #plain}. Jackson's own factory strips trailing zeros and so
     * wrote 60.0 back as 6E+1, which clients then showed.
     */
    private static final class PlainNumbers extends JsonNodeFactory {
        PlainNumbers() {
            super(false);
        }

        @Override
        public ValueNode numberNode(java.math.BigDecimal value) {
            return value == null ? nullNode() : DecimalNode.valueOf(plain(value));
        }
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize JSON", e);
        }
    }
}
