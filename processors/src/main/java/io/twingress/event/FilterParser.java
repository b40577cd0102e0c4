package io.twingress.event;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.twingress.AdtError;
import io.twingress.Json;
import io.twingress.AdtException;
import io.twingress.event.FilterTree.Attribute;
import io.twingress.event.FilterTree.Body;
import io.twingress.event.FilterTree.Condition;
import io.twingress.event.FilterTree.Function;
import io.twingress.event.FilterTree.Literal;
import io.twingress.event.FilterTree.Op;
import io.twingress.event.FilterTree.Operand;
import io.twingress.event.FilterTree.Segment;

/**
 * Recursive-descent parser for event-route filters. Every refusal is an {@code InvalidArgument} whose message
 * names the 1-based position and what was expected there. Precedence: NOT, then AND, then OR.
 */
final class FilterParser {

    static final int MAX_LENGTH = 4096;
    /** Parentheses and NOTs together; deep enough for any real filter, shallow enough never to exhaust the stack. */
    static final int MAX_NESTING = 32;
    static final List<String> ATTRIBUTES = List.of("type", "source", "subject", "id", "dataschema",
            "datacontenttype", "specversion", "time");
    static final String BODY = "$body";

    private static final String FIELDS = String.join(", ", ATTRIBUTES) + " or " + BODY + ".<path>";
    private static final String FUNCTIONS = Arrays.stream(Function.values()).map(Enum::name)
            .collect(Collectors.joining(", "));
    private static final String OPERATORS = "=, !=, <>, <, <=, > or >=";
    private static final JsonNodeFactory JSON = Json.MAPPER.getNodeFactory();

    private final List<FilterToken> tokens;
    private int current;
    private int nesting;

    private FilterParser(List<FilterToken> tokens) {
        this.tokens = tokens;
    }

    static Condition parse(String text) {
        if (text == null) {
            throw invalid(1, "expected a filter such as type = 'Microsoft.DigitalTwins.Twin.Update' or true"
                    + " but found none");
        }
        if (text.length() > MAX_LENGTH) {
            throw invalid(MAX_LENGTH + 1, "the filter is " + text.length() + " characters long; expected at most "
                    + MAX_LENGTH);
        }
        FilterParser parser = new FilterParser(FilterLexer.tokenize(text));
        Condition condition = parser.or();
        FilterToken end = parser.peek();
        if (end.kind() != FilterToken.Kind.END) {
            throw syntax(end, "AND, OR or end of filter");
        }
        return condition;
    }

    static AdtException invalid(int position, String problem) {
        return AdtError.EVENT_ROUTE_FILTER_INVALID.with("Invalid filter at position " + position + ": " + problem);
    }

    private static AdtException syntax(FilterToken found, String expected) {
        return invalid(found.position(), "expected " + expected + " but found " + found.describe());
    }

    private Condition or() {
        Condition first = and();
        if (!peek().isKeyword("OR")) {
            return first;
        }
        List<Condition> operands = new ArrayList<>(List.of(first));
        while (peek().isKeyword("OR")) {
            advance();
            operands.add(and());
        }
        return new FilterTree.Or(operands);
    }

    private Condition and() {
        Condition first = not();
        if (!peek().isKeyword("AND")) {
            return first;
        }
        List<Condition> operands = new ArrayList<>(List.of(first));
        while (peek().isKeyword("AND")) {
            advance();
            operands.add(not());
        }
        return new FilterTree.And(operands);
    }

    private Condition not() {
        if (!peek().isKeyword("NOT")) {
            return primary();
        }
        FilterToken not = advance();
        enter(not);
        Condition operand = not();
        nesting--;
        return new FilterTree.Not(operand);
    }

    private Condition primary() {
        FilterToken token = peek();
        if (token.isSymbol("(")) {
            advance();
            enter(token);
            Condition inner = or();
            if (!accept(")")) {
                throw syntax(peek(), "AND, OR or ')' to close the '(' at position " + token.position());
            }
            nesting--;
            return inner;
        }
        if (token.kind() == FilterToken.Kind.IDENT && peekNext().isSymbol("(") && !token.isKeyword("AND")
                && !token.isKeyword("OR")) {
            return call();
        }
        Operand left = operand("a condition");
        FilterToken operator = peek();
        Op op = Op.of(operator);
        if (op != null) {
            advance();
            return new FilterTree.Compare(op, left, operand("a value after '" + operator.text() + "'"));
        }
        if (left instanceof Literal literal && literal.value().isBoolean()) {
            return new FilterTree.Constant(literal.value().booleanValue());
        }
        if (left instanceof Body) {
            return new FilterTree.Truth(left);
        }
        // A string attribute or a number is never a condition on its own: the filter is missing its comparison.
        throw syntax(operator, "a comparison operator (" + OPERATORS + ") after '"
                + FilterToken.shown(token.text()) + "'");
    }

    private Condition call() {
        FilterToken name = advance();
        Function function = Function.named(name.text());
        if (function == null) {
            throw invalid(name.position(), "unknown function '" + FilterToken.shown(name.text())
                    + "'; expected one of " + FUNCTIONS);
        }
        advance();
        List<FilterToken> starts = new ArrayList<>();
        List<Operand> args = new ArrayList<>();
        for (int i = 0; i < function.arity(); i++) {
            if (i > 0 && !accept(",")) {
                throw syntax(peek(), "',' and argument " + (i + 1) + " of " + function.usage);
            }
            starts.add(peek());
            args.add(operand("argument " + (i + 1) + " of " + function.usage));
        }
        if (!accept(")")) {
            throw syntax(peek(), "')' to close " + function.usage);
        }
        return switch (function) {
            case IS_DEFINED -> {
                requireField(args.get(0), starts.get(0), function);
                yield new FilterTree.Defined(args.get(0));
            }
            case TOUCHES -> {
                if (!(args.get(0) instanceof Body)) {
                    throw invalid(starts.get(0).position(), "expected a $body path to a JSON Patch as argument 1 of "
                            + function.usage + " but found " + starts.get(0).describe());
                }
                yield new FilterTree.Touches(args.get(0), pointer(args.get(1), starts.get(1), function));
            }
            default -> {
                requireText(args.get(0), starts.get(0), 1, function);
                requireText(args.get(1), starts.get(1), 2, function);
                yield new FilterTree.TextTest(function, args.get(0), args.get(1));
            }
        };
    }

    private static void requireField(Operand arg, FilterToken start, Function function) {
        if (arg instanceof Literal) {
            throw invalid(start.position(), "expected a field (" + FIELDS + ") as the argument of " + function.usage
                    + " but found " + start.describe());
        }
    }

    /** A literal that can never be a string is a mistake worth naming; a field is checked when the event comes. */
    private static void requireText(Operand arg, FilterToken start, int index, Function function) {
        if (arg instanceof Literal literal && !literal.value().isTextual()) {
            throw invalid(start.position(), "expected a field or a string as argument " + index + " of "
                    + function.usage + " but found " + start.describe());
        }
    }

    private static String pointer(Operand arg, FilterToken start, Function function) {
        if (!(arg instanceof Literal literal) || !literal.value().isTextual()) {
            throw invalid(start.position(), "expected a JSON pointer string such as '/Temperature' as argument 2 of "
                    + function.usage + " but found " + start.describe());
        }
        String pointer = literal.value().textValue();
        if (!pointer.isEmpty() && pointer.charAt(0) != '/') {
            throw invalid(start.position(), "expected a JSON pointer that starts with '/' (such as '/" 
                    + FilterToken.shown(pointer) + "') but found '" + FilterToken.shown(pointer) + "'");
        }
        for (int i = 0; i < pointer.length(); i++) {
            if (pointer.charAt(i) == '~' && (i + 1 == pointer.length() || "01".indexOf(pointer.charAt(i + 1)) < 0)) {
                throw invalid(start.position(), "expected ~0 or ~1 after '~' in the JSON pointer '"
                        + FilterToken.shown(pointer) + "' (~ is written ~0 and / inside a name ~1)");
            }
        }
        return pointer;
    }

    /** A field or a literal: the only things a comparison or a function argument can hold. */
    private Operand operand(String expected) {
        FilterToken token = peek();
        switch (token.kind()) {
            case STRING -> {
                advance();
                return new Literal(JSON.textNode(token.text()));
            }
            case NUMBER -> {
                advance();
                return new Literal(JSON.numberNode(number(token)));
            }
            case IDENT -> {
                return identifier(token, expected);
            }
            default -> throw syntax(token, expected);
        }
    }

    private Operand identifier(FilterToken token, String expected) {
        if (token.isKeyword("TRUE") || token.isKeyword("FALSE")) {
            advance();
            return new Literal(JSON.booleanNode(token.isKeyword("TRUE")));
        }
        if (token.isKeyword("NULL")) {
            advance();
            return new Literal(JSON.nullNode());
        }
        if (token.text().equals(BODY)) {
            advance();
            return body();
        }
        if (ATTRIBUTES.contains(token.text())) {
            advance();
            return new Attribute(token.text());
        }
        if (token.isKeyword("AND") || token.isKeyword("OR") || token.isKeyword("NOT")) {
            throw syntax(token, expected);
        }
        if (peekNext().isSymbol("(")) {
            throw invalid(token.position(), Function.named(token.text()) != null
                    ? "a function is a condition, not a value; expected " + expected + " but found "
                            + token.text().toUpperCase(Locale.ROOT) + "("
                    : "expected " + expected + " but found '" + FilterToken.shown(token.text()) + "('");
        }
        String hint = ATTRIBUTES.contains(token.text().toLowerCase(Locale.ROOT))
                || token.text().equalsIgnoreCase(BODY) ? " (field names are case-sensitive)" : "";
        throw invalid(token.position(), "unknown field '" + FilterToken.shown(token.text()) + "'; expected one of "
                + FIELDS + hint);
    }

    private Body body() {
        List<Segment> path = new ArrayList<>();
        while (true) {
            if (accept(".")) {
                FilterToken name = peek();
                if (name.kind() != FilterToken.Kind.IDENT) {
                    throw syntax(name, "a property name after '.' (write $body['name'] for other characters)");
                }
                advance();
                path.add(new FilterTree.Name(name.text()));
            } else if (accept("[")) {
                path.add(bracket());
                if (!accept("]")) {
                    throw syntax(peek(), "']'");
                }
            } else {
                return new Body(path);
            }
        }
    }

    private Segment bracket() {
        FilterToken token = peek();
        if (token.kind() == FilterToken.Kind.STRING) {
            advance();
            return new FilterTree.Name(token.text());
        }
        if (token.kind() == FilterToken.Kind.NUMBER && token.text().chars().allMatch(c -> c >= '0' && c <= '9')) {
            advance();
            if (token.text().length() <= 10) {
                long index = Long.parseLong(token.text());
                if (index <= Integer.MAX_VALUE) {
                    return new FilterTree.Index((int) index);
                }
            }
            throw invalid(token.position(), "expected an array index from 0 to " + Integer.MAX_VALUE + " but found "
                    + token.describe());
        }
        throw syntax(token, "a quoted property name or an array index after '['");
    }

    /**
     * Kept exact: a literal is compared as the decimal it spells. BigDecimal holds any exponent that fits an int,
     * so only a number beyond that is refused.
     */
    private static BigDecimal number(FilterToken token) {
        try {
            return new BigDecimal(token.text());
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid(token.position(), "the number " + FilterToken.shown(token.text())
                    + " is out of range; expected an exponent between -2147483647 and 2147483647");
        }
    }

    private void enter(FilterToken token) {
        if (++nesting > MAX_NESTING) {
            throw invalid(token.position(), "parentheses and NOT are nested more than " + MAX_NESTING
                    + " levels deep; expected a flatter filter");
        }
    }

    private FilterToken peek() {
        return tokens.get(current);
    }

    private FilterToken peekNext() {
        return tokens.get(Math.min(current + 1, tokens.size() - 1));
    }

    private FilterToken advance() {
        FilterToken token = tokens.get(current);
        if (token.kind() != FilterToken.Kind.END) {
            current++;
        }
        return token;
    }

    private boolean accept(String symbol) {
        if (peek().isSymbol(symbol)) {
            advance();
            return true;
        }
        return false;
    }
}
