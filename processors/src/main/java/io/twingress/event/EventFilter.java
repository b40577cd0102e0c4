package io.twingress.event;

import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An event route's filter, as Azure Digital Twins writes it, parsed once and tested against each event.
 *
 * <p>A filter is {@code true} (route everything), {@code false} (route nothing), or conditions joined by
 * {@code AND}, {@code OR}, {@code NOT} and parentheses (NOT binds tighter than AND, AND tighter than OR).
 * A condition is a comparison ({@code =}, {@code !=} or {@code <>}, {@code <}, {@code <=}, {@code >}, {@code >=})
 * of fields and literals, a function ({@code STARTS_WITH}, {@code ENDS_WITH}, {@code CONTAINS}, {@code IS_DEFINED}
 * and Twingress's {@code TOUCHES}), or a {@code $body} field on its own, which holds when its value is JSON true.
 * Fields are the CloudEvents attributes {@code type, source, subject, id, dataschema, datacontenttype,
 * specversion, time} (lowercase, exactly) and {@code $body} paths into the data: {@code $body.$metadata.$model},
 * {@code $body['my-prop']}, {@code $body.patch[0].path}. Keywords and function names ignore case; field names
 * and compared values do not. Strings take single or double quotes, a quote inside written twice.
 *
 * <p>How values compare:
 * <ul>
 * <li>Numbers compare as exact decimals ({@code 40 = 40.0}); strings by exact, case-sensitive equality and
 * lexicographic order (so RFC 3339 UTC times in {@code time} order correctly); booleans and JSON null only by
 * {@code =} and {@code !=}. Objects and arrays are not compared: every operator is false for them, except
 * {@code !=} against a value of another type and the null tests below.
 * <li>Values of different types are never equal: every operator is false except {@code !=}, which is true
 * ({@code $body.x != 'a'} holds when x is 5 or JSON null).
 * <li>A missing field (absent attribute, absent {@code $body} path, {@code $body} of an event without data)
 * behaves like SQL's unknown: {@code = null} is true, and every other comparison is false, including
 * {@code != 'a'}, {@code != null} and a comparison with another missing field. {@code = null} is also true for
 * JSON null; {@code != null} is true exactly when the field exists and is not JSON null.
 * <li>{@code STARTS_WITH}, {@code ENDS_WITH} and {@code CONTAINS} are false unless both arguments are strings;
 * {@code IS_DEFINED(x)} is true when x exists, even as JSON null.
 * <li>{@code TOUCHES($body.patch, '/a/b')} is true when {@code $body.patch} is a JSON Patch (an array of objects,
 * each with string {@code op} and {@code path}) with an operation on {@code /a/b}, beneath it ({@code /a/b/c}) or
 * on an ancestor ({@code /a}); false for anything that is not such an array.
 * </ul>
 *
 * <p>Evaluation never throws: a comparison that cannot be made on the event's data (NaN, a broken node) is false.
 * Parsing refuses filters over 4,096 characters or nested (parentheses and NOT) more
 * than 32 deep. Instances are immutable and safe to share between threads.
 */
public final class EventFilter {

    private final String text;
    private final FilterTree.Condition condition;

    private EventFilter(String text, FilterTree.Condition condition) {
        this.text = text;
        this.condition = condition;
    }

    /**
     * Parses a filter. A malformed one, of any content including null, throws {@code InvalidArgument}
     * ({@link io.twingress.AdtError#INVALID_ARGUMENT}) with a message naming the 1-based character position and
     * what was expected there, e.g. {@code Invalid filter at position 17: expected a value after '=' but found ')'}.
     */
    public static EventFilter parse(String text) {
        return new EventFilter(text, FilterParser.parse(text));
    }

    /**
     * Whether an event passes the filter. {@code attributes} holds the CloudEvents context attributes by name
     * (a missing one absent or null; a null map is an empty one); {@code data} is the event's JSON data, null when
     * it has none. Never throws.
     */
    public boolean matches(Map<String, String> attributes, JsonNode data) {
        return condition.test(new FilterTree.Event(attributes == null ? Map.of() : attributes, data));
    }

    /** The filter text as given to {@link #parse}. */
    public String text() {
        return text;
    }

    /**
     * True when the whole filter is the constant {@code true} or {@code false} (any case, parentheses allowed), so
     * callers can route everything or nothing without evaluating; {@link #constantValue()} says which.
     */
    public boolean isConstant() {
        return condition instanceof FilterTree.Constant;
    }

    /**
     * The constant of a filter for which {@link #isConstant()} holds: true routes every event, false none.
     *
     * @throws IllegalStateException when the filter is not a constant
     */
    public boolean constantValue() {
        if (condition instanceof FilterTree.Constant constant) {
            return constant.value();
        }
        throw new IllegalStateException("the filter <" + text + "> is not a constant; test events with matches()");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EventFilter filter && filter.text.equals(text);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text);
    }

    @Override
    public String toString() {
        return text;
    }
}
