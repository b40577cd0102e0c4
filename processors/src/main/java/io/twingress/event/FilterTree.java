package io.twingress.event;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * A parsed filter: conditions that test an event and operands that read one value from it. Reading gives Java
 * {@code null} for a field the event does not have, so "missing" and JSON null stay apart. The parser bounds the
 * depth, so evaluation recurses at most a few frames per level of nesting.
 */
final class FilterTree {

    private FilterTree() {
    }

    /** The event under test; attributes is never null (an absent map is an empty one). */
    record Event(Map<String, String> attributes, JsonNode data) {
    }

    sealed interface Operand {

        /** The value, or null when the event has no such field. */
        JsonNode read(Event event);
    }

    record Literal(JsonNode value) implements Operand {
        @Override
        public JsonNode read(Event event) {
            return value;
        }
    }

    /** A CloudEvents context attribute; attributes are strings. */
    record Attribute(String name) implements Operand {
        @Override
        public JsonNode read(Event event) {
            String value = event.attributes().get(name);
            return value == null ? null : TextNode.valueOf(value);
        }
    }

    /** {@code $body} followed by property names and array indexes. */
    record Body(List<Segment> path) implements Operand {
        Body {
            path = List.copyOf(path);
        }

        @Override
        public JsonNode read(Event event) {
            JsonNode node = event.data();
            for (Segment segment : path) {
                if (node == null) {
                    return null;
                }
                node = segment.step(node);
            }
            return node == null || node.isMissingNode() ? null : node;
        }
    }

    sealed interface Segment {

        /** The child this segment names, or null when there is none. */
        JsonNode step(JsonNode node);
    }

    record Name(String name) implements Segment {
        @Override
        public JsonNode step(JsonNode node) {
            return node.isObject() ? node.get(name) : null;
        }
    }

    record Index(int index) implements Segment {
        @Override
        public JsonNode step(JsonNode node) {
            return node.isArray() ? node.get(index) : null;
        }
    }

    sealed interface Condition {

        boolean test(Event event);
    }

    /**
     * A condition that reads the event. Whatever goes wrong while reading (a number no decimal can hold, a map or
     * node implementation that throws) makes this one test false rather than failing the route.
     */
    sealed interface Leaf extends Condition {

        boolean evaluate(Event event);

        @Override
        default boolean test(Event event) {
            try {
                return evaluate(event);
            } catch (RuntimeException e) {
                return false;
            }
        }
    }

    record Constant(boolean value) implements Condition {
        @Override
        public boolean test(Event event) {
            return value;
        }
    }

    record And(List<Condition> operands) implements Condition {
        And {
            operands = List.copyOf(operands);
        }

        @Override
        public boolean test(Event event) {
            for (Condition operand : operands) {
                if (!operand.test(event)) {
                    return false;
                }
            }
            return true;
        }
    }

    record Or(List<Condition> operands) implements Condition {
        Or {
            operands = List.copyOf(operands);
        }

        @Override
        public boolean test(Event event) {
            for (Condition operand : operands) {
                if (operand.test(event)) {
                    return true;
                }
            }
            return false;
        }
    }

    record Not(Condition operand) implements Condition {
        @Override
        public boolean test(Event event) {
            return !operand.test(event);
        }
    }

    /** A field used as a condition on its own: true only when it holds JSON true. */
    record Truth(Operand operand) implements Leaf {
        @Override
        public boolean evaluate(Event event) {
            JsonNode value = operand.read(event);
            return value != null && value.isBoolean() && value.booleanValue();
        }
    }

    enum Op {
        EQ("="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">=");

        final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        /** The operator a token spells, or null; {@code <>} is another spelling of {@code !=}. */
        static Op of(FilterToken token) {
            if (token.kind() != FilterToken.Kind.SYMBOL) {
                return null;
            }
            if (token.text().equals("<>")) {
                return NE;
            }
            for (Op op : values()) {
                if (op.symbol.equals(token.text())) {
                    return op;
                }
            }
            return null;
        }
    }

    record Compare(Op op, Operand left, Operand right) implements Leaf {
        @Override
        public boolean evaluate(Event event) {
            return compare(op, left.read(event), right.read(event));
        }
    }

    /** The semantics {@link EventFilter}'s documentation describes; null means a missing field. */
    static boolean compare(Op op, JsonNode left, JsonNode right) {
        if (left == null || right == null) {
            // Missing is SQL's unknown: it equals null and nothing else, and != says nothing about it.
            JsonNode other = left == null ? right : left;
            return op == Op.EQ && other != null && other.isNull();
        }
        JsonNodeType type = left.getNodeType();
        if (type != right.getNodeType()) {
            return op == Op.NE;
        }
        return switch (type) {
            case NULL -> op == Op.EQ;
            case BOOLEAN -> op == Op.EQ ? left.booleanValue() == right.booleanValue()
                    : op == Op.NE && left.booleanValue() != right.booleanValue();
            case NUMBER -> ordered(op, decimal(left).compareTo(decimal(right)));
            case STRING -> ordered(op, left.textValue().compareTo(right.textValue()));
            // Objects and arrays have no order and are not compared member by member: no operator holds.
            default -> false;
        };
    }

    private static boolean ordered(Op op, int comparison) {
        return switch (op) {
            case EQ -> comparison == 0;
            case NE -> comparison != 0;
            case LT -> comparison < 0;
            case LE -> comparison <= 0;
            case GT -> comparison > 0;
            case GE -> comparison >= 0;
        };
    }

    /** Throws for NaN and infinity, which {@link Leaf} turns into false. */
    private static BigDecimal decimal(JsonNode number) {
        return number.isBigDecimal() ? number.decimalValue()
                : number.isIntegralNumber() ? new BigDecimal(number.bigIntegerValue())
                : new BigDecimal(number.asText());
    }

    enum Function {
        STARTS_WITH("STARTS_WITH(<field>, '<prefix>')"),
        ENDS_WITH("ENDS_WITH(<field>, '<suffix>')"),
        CONTAINS("CONTAINS(<field>, '<part>')"),
        TOUCHES("TOUCHES($body.<path to a JSON Patch>, '/<JSON pointer>')"),
        IS_DEFINED("IS_DEFINED(<field>)");

        final String usage;

        Function(String usage) {
            this.usage = usage;
        }

        int arity() {
            return this == IS_DEFINED ? 1 : 2;
        }

        static Function named(String name) {
            for (Function function : values()) {
                if (function.name().equalsIgnoreCase(name)) {
                    return function;
                }
            }
            return null;
        }
    }

    /** IS_DEFINED: the field exists, even when it holds JSON null. */
    record Defined(Operand field) implements Leaf {
        @Override
        public boolean evaluate(Event event) {
            return field.read(event) != null;
        }
    }

    /** STARTS_WITH, ENDS_WITH and CONTAINS: false unless both sides are strings. */
    record TextTest(Function function, Operand value, Operand part) implements Leaf {
        @Override
        public boolean evaluate(Event event) {
            JsonNode text = value.read(event);
            JsonNode piece = part.read(event);
            if (text == null || piece == null || !text.isTextual() || !piece.isTextual()) {
                return false;
            }
            return switch (function) {
                case STARTS_WITH -> text.textValue().startsWith(piece.textValue());
                case ENDS_WITH -> text.textValue().endsWith(piece.textValue());
                case CONTAINS -> text.textValue().contains(piece.textValue());
                default -> throw new IllegalStateException(function + " is not a string test");
            };
        }
    }

    /** TOUCHES: whether a JSON Patch changes the value at a pointer, something inside it, or something around it. */
    record Touches(Operand patch, String pointer) implements Leaf {
        @Override
        public boolean evaluate(Event event) {
            JsonNode operations = patch.read(event);
            if (operations == null || !operations.isArray()) {
                return false;
            }
            boolean touched = false;
            for (JsonNode operation : operations) {
                if (!operation.isObject() || !operation.path("op").isTextual() || !operation.path("path").isTextual()) {
                    // Not a JSON Patch after all; a route must not fire on a look-alike.
                    return false;
                }
                touched |= related(operation.get("path").textValue(), pointer);
            }
            return touched;
        }

        /**
         * Escaped pointers compare segment by segment as plain prefixes because '/' inside a name is always
         * escaped as ~1; the empty pointer (the whole document) is an ancestor of every other.
         */
        static boolean related(String changed, String watched) {
            return changed.equals(watched) || changed.startsWith(watched + "/") || watched.startsWith(changed + "/")
                    || changed.isEmpty() || watched.isEmpty();
        }
    }
}
