package io.twingress.query;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Evaluates resolved expressions against a binding of aliases to twins and relationships. A missing property
 * evaluates to Java null; any comparison involving it, or values of different types, is false rather than
 * an error, as in ADT.
 */
final class Evaluator {

    private final GraphSource source;
    /** Model families looked up once per query run, not once per twin. */
    private final Map<String, Set<String>> families = new HashMap<>();

    Evaluator(GraphSource source) {
        this.source = source;
    }

    boolean test(Expr expr, Map<String, ObjectNode> binding) {
        if (expr instanceof Expr.Compare compare) {
            return compare(compare.op(), value(compare.left(), binding), value(compare.right(), binding));
        }
        if (expr instanceof Expr.In in) {
            JsonNode value = value(in.value(), binding);
            if (value == null) {
                return false;
            }
            boolean found = in.items().stream().anyMatch(item -> compare(Expr.Op.EQ, value, item));
            return found != in.negated();
        }
        if (expr instanceof Expr.And and) {
            return and.operands().stream().allMatch(operand -> test(operand, binding));
        }
        if (expr instanceof Expr.Or or) {
            return or.operands().stream().anyMatch(operand -> test(operand, binding));
        }
        if (expr instanceof Expr.Not not) {
            return !test(not.operand(), binding);
        }
        if (expr instanceof Expr.Call call) {
            return call(call, binding);
        }
        if (expr instanceof Expr.IsOfModel isOfModel) {
            return isOfModel(isOfModel, binding);
        }
        JsonNode value = value(expr, binding);
        return value != null && value.isBoolean() && value.booleanValue();
    }

    /** The JSON value of an expression; null when a path leads nowhere. */
    JsonNode value(Expr expr, Map<String, ObjectNode> binding) {
        if (expr instanceof Expr.Literal literal) {
            return literal.value();
        }
        if (expr instanceof Expr.Path path) {
            JsonNode node = binding.get(path.root());
            for (String segment : path.segments()) {
                if (node == null || !node.isObject()) {
                    return null;
                }
                node = node.get(segment);
            }
            return node;
        }
        return test(expr, binding) ? BooleanNode.TRUE
                : BooleanNode.FALSE;
    }

    /** The models IS_OF_MODEL accepts, also used to narrow twin scans. */
    Set<String> family(Expr.IsOfModel isOfModel) {
        return isOfModel.exact() ? Set.of(isOfModel.model())
                : families.computeIfAbsent(isOfModel.model(), source::modelAndDerived);
    }

    private boolean isOfModel(Expr.IsOfModel isOfModel, Map<String, ObjectNode> binding) {
        ObjectNode twin = binding.get(isOfModel.alias());
        JsonNode model = twin == null ? null : twin.path("$metadata").get("$model");
        return model != null && model.isTextual() && family(isOfModel).contains(model.textValue());
    }

    private boolean call(Expr.Call call, Map<String, ObjectNode> binding) {
        JsonNode first = value(call.args().get(0), binding);
        if (first == null) {
            return false;
        }
        return switch (call.function()) {
            case IS_DEFINED -> true;
            case IS_NULL -> first.isNull();
            case IS_BOOL -> first.isBoolean();
            case IS_NUMBER -> first.isNumber();
            case IS_STRING -> first.isTextual();
            case IS_OBJECT -> first.isObject();
            case IS_PRIMITIVE -> first.isTextual() || first.isNumber() || first.isBoolean() || first.isNull();
            case STARTSWITH, ENDSWITH, CONTAINS -> strings(call.function(), first, value(call.args().get(1), binding));
            case ARRAY_CONTAINS -> arrayContains(first, value(call.args().get(1), binding));
            case IS_OF_MODEL -> throw new IllegalStateException("IS_OF_MODEL is resolved by the analyzer");
        };
    }

    private static boolean strings(Expr.Function function, JsonNode text, JsonNode part) {
        if (!text.isTextual() || part == null || !part.isTextual()) {
            return false;
        }
        return switch (function) {
            case STARTSWITH -> text.textValue().startsWith(part.textValue());
            case ENDSWITH -> text.textValue().endsWith(part.textValue());
            default -> text.textValue().contains(part.textValue());
        };
    }

    private static boolean arrayContains(JsonNode array, JsonNode value) {
        if (!array.isArray() || value == null) {
            return false;
        }
        for (JsonNode element : array) {
            if (compare(Expr.Op.EQ, element, value)) {
                return true;
            }
        }
        return false;
    }

    /** Numbers compare with numbers, strings with strings; everything else only with its own kind, by equality. */
    static boolean compare(Expr.Op op, JsonNode left, JsonNode right) {
        if (left == null || right == null) {
            return false;
        }
        int order;
        if (left.isNumber() && right.isNumber()) {
            order = left.isIntegralNumber() && right.isIntegralNumber() && left.canConvertToLong()
                    && right.canConvertToLong() ? Long.compare(left.longValue(), right.longValue())
                    : Double.compare(left.doubleValue(), right.doubleValue());
        } else if (left.isTextual() && right.isTextual()) {
            order = left.textValue().compareTo(right.textValue());
        } else if ((left.isBoolean() && right.isBoolean()) || (left.isNull() && right.isNull())) {
            if (op != Expr.Op.EQ && op != Expr.Op.NE) {
                return false;
            }
            order = left.equals(right) ? 0 : 1;
        } else {
            return false;
        }
        return switch (op) {
            case EQ -> order == 0;
            case NE -> order != 0;
            case LT -> order < 0;
            case GT -> order > 0;
            case LE -> order <= 0;
            case GE -> order >= 0;
        };
    }
}
