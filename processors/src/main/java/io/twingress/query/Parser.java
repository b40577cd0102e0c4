package io.twingress.query;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.twingress.Json;
import io.twingress.query.Expr.Function;
import io.twingress.query.Expr.Op;
import io.twingress.query.Query.Direction;
import io.twingress.query.Query.Edge;
import io.twingress.query.Query.Pattern;
import io.twingress.query.Query.Selection;

/**
 * Recursive-descent parser for ADT's query language. Enforces the limits and restrictions that can be seen in
 * the shape of the query; name resolution is left to {@link QueryAnalyzer}.
 */
final class Parser {

    static final int MAX_LENGTH = 8000;
    static final int MAX_JOINS = 5;
    static final int MAX_HOPS = 10;
    static final int MAX_LOGICAL_OPERATORS = 50;
    static final int MAX_IN_ITEMS = 100;
    /** Deep enough for any real condition, shallow enough that recursion can never exhaust the stack. */
    static final int MAX_NESTING = 32;

    private static final Set<String> RESERVED = Set.of("SELECT", "TOP", "COUNT", "FROM", "DIGITALTWINS",
            "RELATIONSHIPS", "JOIN", "RELATED", "MATCH", "WHERE", "AS", "AND", "OR", "NOT", "IN", "NIN", "TRUE",
            "FALSE", "NULL", "ORDER", "GROUP", "BY");
    private static final String FUNCTION_NAMES = Arrays.stream(Function.values()).map(Enum::name)
            .collect(Collectors.joining(", "));
    private static final JsonNodeFactory JSON = Json.MAPPER.getNodeFactory();

    private final List<Token> tokens;
    private int current;
    private int logicalOperators;
    private int nesting;
    private int anonymousNodes;

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static Query parse(String text) {
        if (text.length() > MAX_LENGTH) {
            throw QueryException.invalid(MAX_LENGTH + 1, "the query is " + text.length()
                    + " characters long; expected at most " + MAX_LENGTH);
        }
        return new Parser(Lexer.tokenize(text)).query(text);
    }

    private Query query(String text) {
        expectKeyword("SELECT");
        int top = 0;
        if (peek().isKeyword("TOP")) {
            advance();
            expectSymbol("(");
            top = top();
            expectSymbol(")");
        }
        Selection selection = selection(top > 0);
        expectKeyword("FROM");
        Token collection = advance();
        boolean relationships;
        if (collection.isKeyword("DIGITALTWINS")) {
            relationships = false;
        } else if (collection.isKeyword("RELATIONSHIPS")) {
            relationships = true;
        } else {
            throw QueryException.syntax(collection, "DIGITALTWINS or RELATIONSHIPS");
        }
        Token aliasToken = peek();
        String fromAlias = optionalAlias();
        Pattern pattern = null;
        if (peek().isKeyword("JOIN")) {
            pattern = joins(selection, relationships, fromAlias);
        }
        if (peek().isKeyword("MATCH")) {
            if (pattern != null) {
                throw QueryException.invalid(peek().position(),
                        "JOIN and MATCH cannot be combined; expected WHERE or end of query");
            }
            pattern = match(selection, relationships, fromAlias, aliasToken);
            if (peek().isKeyword("MATCH")) {
                throw QueryException.invalid(peek().position(),
                        "only one MATCH clause is allowed; expected WHERE or end of query");
            }
        }
        Expr where = null;
        if (peek().isKeyword("WHERE")) {
            advance();
            where = expression();
        }
        Token end = peek();
        if (end.isKeyword("ORDER") || end.isKeyword("GROUP")) {
            throw QueryException.invalid(end.position(), end.text().toUpperCase(Locale.ROOT)
                    + " BY is not supported; expected end of query");
        }
        if (end.kind() != Token.Kind.END) {
            throw QueryException.syntax(end, where != null ? "AND, OR or end of query"
                    : pattern != null ? "WHERE or end of query" : "JOIN, MATCH, WHERE or end of query");
        }
        return new Query(text, selection, top, relationships, fromAlias, pattern, where);
    }

    private int top() {
        Token count = peek();
        if (count.kind() == Token.Kind.NUMBER && count.text().chars().allMatch(Character::isDigit)) {
            advance();
            BigDecimal value = new BigDecimal(count.text());
            if (value.signum() > 0 && value.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) <= 0) {
                return value.intValueExact();
            }
        }
        throw QueryException.invalid(count.position(), "expected TOP(n) with a whole number n of at least 1 but found "
                + count.describe());
    }

    private Selection selection(boolean hasTop) {
        Token first = peek();
        if (first.isSymbol("*")) {
            advance();
            return new Selection.All(first.position());
        }
        if (hasTop && first.isKeyword("FROM")) {
            // SELECT TOP(5) FROM DIGITALTWINS, as ADT's own examples write it, selects whole twins
            return new Selection.All(first.position());
        }
        if (first.isKeyword("COUNT")) {
            if (hasTop) {
                throw QueryException.invalid(first.position(),
                        "TOP and COUNT() cannot be combined; expected * or the aliases or properties to return");
            }
            advance();
            expectSymbol("(");
            expectSymbol(")");
            return new Selection.Count(first.position());
        }
        List<Query.Column> columns = new ArrayList<>();
        do {
            Token start = peek();
            Expr.Path path = path("*, COUNT(), an alias or a property path");
            String name = null;
            if (peek().isKeyword("AS")) {
                advance();
                name = alias("a column name after AS");
            }
            columns.add(new Query.Column(path, name, start.position()));
        } while (accept(","));
        return new Selection.Columns(columns);
    }

    private Pattern joins(Selection selection, boolean relationships, String fromAlias) {
        int position = peek().position();
        List<String> nodes = new ArrayList<>();
        nodes.add(fromAlias);
        List<Edge> edges = new ArrayList<>();
        while (peek().isKeyword("JOIN")) {
            Token join = advance();
            if (relationships) {
                throw QueryException.invalid(join.position(),
                        "JOIN is not allowed with FROM RELATIONSHIPS; expected FROM DIGITALTWINS <alias>");
            }
            if (selection instanceof Selection.All all) {
                throw QueryException.invalid(all.position(),
                        "SELECT * cannot be used with JOIN; expected the aliases or properties to return");
            }
            if (fromAlias == null) {
                throw QueryException.invalid(join.position(),
                        "JOIN needs an alias for the FROM collection; expected FROM DIGITALTWINS <alias>");
            }
            if (edges.size() == MAX_JOINS) {
                throw QueryException.invalid(join.position(),
                        "at most " + MAX_JOINS + " JOINs are allowed; expected WHERE or end of query");
            }
            String target = alias("an alias for the joined twins");
            expectKeyword("RELATED");
            String source = alias("the alias of the twins the relationship starts from");
            expectSymbol(".");
            String name = name("a relationship name");
            String variable = optionalAlias();
            edges.add(new Edge(source, target, Set.of(name), Direction.OUT, 1, 1, variable, join.position()));
            nodes.add(target);
        }
        return new Pattern(false, nodes, edges, position);
    }

    private Pattern match(Selection selection, boolean relationships, String fromAlias, Token aliasToken) {
        Token match = advance();
        if (relationships) {
            throw QueryException.invalid(match.position(),
                    "MATCH is not allowed with FROM RELATIONSHIPS; expected FROM DIGITALTWINS");
        }
        if (fromAlias != null) {
            throw QueryException.invalid(aliasToken.position(),
                    "FROM DIGITALTWINS takes no alias with MATCH; expected the twins to be named in the MATCH pattern");
        }
        if (selection instanceof Selection.All all) {
            throw QueryException.invalid(all.position(),
                    "SELECT * cannot be used with MATCH; expected the aliases or properties to return");
        }
        List<String> nodes = new ArrayList<>();
        List<Edge> edges = new ArrayList<>();
        String previous = node();
        nodes.add(previous);
        int hops = 0;
        while (peek().isSymbol("-") || peek().isSymbol("<")) {
            Token start = peek();
            boolean incoming = accept("<");
            expectSymbol("-");
            expectSymbol("[");
            Token variableToken = peek();
            String variable = variableToken.kind() == Token.Kind.IDENT ? alias("a relationship variable") : null;
            Set<String> names = null;
            if (accept(":")) {
                names = new LinkedHashSet<>();
                do {
                    names.add(name("a relationship name"));
                } while (accept("|"));
            }
            int minHops = 1;
            int maxHops = 1;
            if (accept("*")) {
                if (accept("..")) {
                    maxHops = hopCount(false);
                } else {
                    Token lowerToken = peek();
                    int lower = hopCount(true);
                    if (accept("..")) {
                        Token upperToken = peek();
                        int upper = hopCount(false);
                        if (upper <= lower) {
                            throw QueryException.invalid(upperToken.position(),
                                    "expected an upper hop bound greater than " + lower + " but found " + upper);
                        }
                        // ADT treats the lower bound as exclusive: *1..3 means two or three hops.
                        minHops = lower + 1;
                        maxHops = upper;
                    } else if (lower == 0) {
                        throw QueryException.invalid(lowerToken.position(), "expected a hop count of at least 1");
                    } else {
                        minHops = lower;
                        maxHops = lower;
                    }
                }
            }
            if (variable != null && maxHops > 1) {
                throw QueryException.invalid(variableToken.position(), "relationship variable '" + variable
                        + "' is allowed only with a single hop; expected [" + variable + ":<name>] without *");
            }
            expectSymbol("]");
            expectSymbol("-");
            boolean outgoing = accept(">");
            if (incoming && outgoing) {
                throw QueryException.invalid(start.position(),
                        "a relationship cannot point both ways; expected -[]->, <-[]- or -[]-");
            }
            hops += maxHops;
            if (hops > MAX_HOPS) {
                throw QueryException.invalid(start.position(),
                        "MATCH allows at most " + MAX_HOPS + " hops; expected a shorter pattern or hop range");
            }
            Direction direction = incoming ? Direction.IN : outgoing ? Direction.OUT : Direction.BOTH;
            String next = node();
            edges.add(new Edge(previous, next, names, direction, minHops, maxHops, variable, start.position()));
            nodes.add(next);
            previous = next;
        }
        if (edges.isEmpty()) {
            throw QueryException.syntax(peek(), "a relationship such as -[]->, <-[]- or -[]-");
        }
        return new Pattern(true, nodes, edges, match.position());
    }

    private int hopCount(boolean allowZero) {
        Token count = peek();
        if (count.kind() == Token.Kind.NUMBER && count.text().length() <= 3
                && count.text().chars().allMatch(Character::isDigit)) {
            int value = Integer.parseInt(count.text());
            if (value <= MAX_HOPS && (value > 0 || allowZero)) {
                advance();
                return value;
            }
        }
        throw QueryException.syntax(count, "a hop count from " + (allowZero ? 0 : 1) + " to " + MAX_HOPS);
    }

    private String node() {
        expectSymbol("(");
        if (accept(")")) {
            // Anonymous nodes get a name no query can spell, so they can never be projected or filtered.
            return "#" + ++anonymousNodes;
        }
        String alias = alias("a twin name or ')'");
        expectSymbol(")");
        return alias;
    }

    private Expr expression() {
        Expr first = and();
        if (!peek().isKeyword("OR")) {
            return first;
        }
        List<Expr> operands = new ArrayList<>(List.of(first));
        while (peek().isKeyword("OR")) {
            countLogical(advance());
            operands.add(and());
        }
        return new Expr.Or(operands, first.position());
    }

    private Expr and() {
        Expr first = not();
        if (!peek().isKeyword("AND")) {
            return first;
        }
        List<Expr> operands = new ArrayList<>(List.of(first));
        while (peek().isKeyword("AND")) {
            countLogical(advance());
            operands.add(not());
        }
        return new Expr.And(operands, first.position());
    }

    private Expr not() {
        if (!peek().isKeyword("NOT")) {
            return comparison();
        }
        Token not = advance();
        enter(not);
        Expr operand = not();
        nesting--;
        return new Expr.Not(operand, not.position());
    }

    private Expr comparison() {
        Expr left = operand();
        Token operator = peek();
        if (operator.isKeyword("IN") || operator.isKeyword("NIN")) {
            advance();
            return new Expr.In(left, list(), operator.isKeyword("NIN"), operator.position());
        }
        if (operator.kind() != Token.Kind.SYMBOL) {
            return left;
        }
        for (Op op : Op.values()) {
            if (operator.text().equals(op.symbol)) {
                advance();
                return new Expr.Compare(op, left, operand(), operator.position());
            }
        }
        return left;
    }

    private Expr operand() {
        Token token = peek();
        JsonNode literal = literal();
        if (literal != null) {
            return new Expr.Literal(literal, token.position());
        }
        if (token.isSymbol("(")) {
            advance();
            rejectSubquery();
            enter(token);
            Expr inner = expression();
            expectSymbol(")");
            nesting--;
            return inner;
        }
        if (token.kind() == Token.Kind.IDENT && current + 1 < tokens.size() && tokens.get(current + 1).isSymbol("(")) {
            return call();
        }
        return path("a property, literal, function or '('");
    }

    private Expr call() {
        Token name = advance();
        Function function;
        try {
            function = Function.valueOf(name.text().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw QueryException.invalid(name.position(), "unknown function '" + name.text()
                    + "'; expected one of " + FUNCTION_NAMES);
        }
        enter(name);
        expectSymbol("(");
        List<Expr> args = new ArrayList<>();
        if (!accept(")")) {
            do {
                args.add(expression());
            } while (accept(","));
            expectSymbol(")");
        }
        nesting--;
        if (function.arity >= 0 && args.size() != function.arity) {
            throw QueryException.invalid(name.position(), function + " expects " + function.arity
                    + (function.arity == 1 ? " argument" : " arguments") + " but got " + args.size());
        }
        return new Expr.Call(function, args, name.position());
    }

    private List<JsonNode> list() {
        Token open = peek();
        String close;
        if (accept("[")) {
            close = "]";
        } else if (accept("(")) {
            rejectSubquery();
            close = ")";
        } else {
            throw QueryException.syntax(open, "a list such as ['a', 'b']");
        }
        List<JsonNode> items = new ArrayList<>();
        if (accept(close)) {
            return items;
        }
        do {
            Token item = peek();
            JsonNode value = literal();
            if (value == null) {
                throw QueryException.syntax(item, "a string, number, true, false or null in the list");
            }
            if (items.size() == MAX_IN_ITEMS) {
                throw QueryException.invalid(item.position(),
                        "an IN or NIN list holds at most " + MAX_IN_ITEMS + " values; expected '" + close + "'");
            }
            items.add(value);
        } while (accept(","));
        expectSymbol(close);
        return items;
    }

    /** A constant at the current token, consumed; null (nothing consumed) when there is none. */
    private JsonNode literal() {
        Token token = peek();
        if (token.kind() == Token.Kind.STRING) {
            advance();
            return JSON.textNode(token.text());
        }
        if (token.kind() == Token.Kind.NUMBER) {
            advance();
            return number(token, false);
        }
        if (token.isSymbol("-") && current + 1 < tokens.size()
                && tokens.get(current + 1).kind() == Token.Kind.NUMBER) {
            advance();
            return number(advance(), true);
        }
        if (token.isKeyword("TRUE") || token.isKeyword("FALSE")) {
            advance();
            return JSON.booleanNode(token.isKeyword("TRUE"));
        }
        if (token.isKeyword("NULL")) {
            advance();
            return JSON.nullNode();
        }
        return null;
    }

    /**
     * A number literal as twins hold numbers: a long when it is whole and fits, else a double. A literal no double
     * can hold is refused rather than turned into infinity, which neither JSON nor the stores' bounds can represent.
     */
    private static JsonNode number(Token token, boolean negative) {
        String text = token.text();
        BigDecimal value;
        try {
            value = new BigDecimal(text);
        } catch (NumberFormatException exponentTooLarge) {
            throw numberOutOfRange(token, negative);
        }
        if (negative) {
            value = value.negate();
        }
        if (text.chars().allMatch(Character::isDigit)) {
            try {
                return JSON.numberNode(value.longValueExact());
            } catch (ArithmeticException tooLarge) {
                // falls through to the double, which holds it approximately or not at all
            }
        }
        double approximate = value.doubleValue();
        if (Double.isInfinite(approximate)) {
            throw numberOutOfRange(token, negative);
        }
        return JSON.numberNode(approximate);
    }

    private static QueryException numberOutOfRange(Token token, boolean negative) {
        String text = (negative ? "-" : "") + token.text();
        return QueryException.invalid(token.position(), "the number " + (text.length() > 40
                ? text.substring(0, 37) + "..." : text) + " is out of range; expected a number between -"
                + Double.MAX_VALUE + " and " + Double.MAX_VALUE);
    }

    private Expr.Path path(String expected) {
        Token first = peek();
        List<String> segments = new ArrayList<>();
        segments.add(alias(expected));
        while (accept(".")) {
            segments.add(name("a property name after '.'"));
        }
        return new Expr.Path(null, segments, first.position());
    }

    private void rejectSubquery() {
        if (peek().isKeyword("SELECT")) {
            throw QueryException.invalid(peek().position(),
                    "subqueries are not supported; expected a condition or a list of values");
        }
    }

    private void countLogical(Token operator) {
        if (++logicalOperators > MAX_LOGICAL_OPERATORS) {
            throw QueryException.invalid(operator.position(), "at most " + MAX_LOGICAL_OPERATORS
                    + " AND/OR operators are allowed; expected a simpler condition");
        }
    }

    private void enter(Token token) {
        if (++nesting > MAX_NESTING) {
            throw QueryException.invalid(token.position(), "conditions are nested more than " + MAX_NESTING
                    + " levels deep; expected a flatter condition");
        }
    }

    private String optionalAlias() {
        if (peek().isKeyword("AS")) {
            advance();
            return alias("an alias after AS");
        }
        Token token = peek();
        if (token.kind() == Token.Kind.IDENT && !isReserved(token)) {
            advance();
            return token.text();
        }
        return null;
    }

    /** A user-chosen name: an identifier that is not a keyword. */
    private String alias(String expected) {
        Token token = peek();
        if (token.kind() != Token.Kind.IDENT || isReserved(token)) {
            throw QueryException.syntax(token, expected);
        }
        advance();
        return token.text();
    }

    /** A property or relationship name; keywords are fine here because the position makes them unambiguous. */
    private String name(String expected) {
        Token token = peek();
        if (token.kind() != Token.Kind.IDENT) {
            throw QueryException.syntax(token, expected);
        }
        advance();
        return token.text();
    }

    private static boolean isReserved(Token token) {
        return RESERVED.contains(token.text().toUpperCase(Locale.ROOT));
    }

    private Token peek() {
        return tokens.get(current);
    }

    private Token advance() {
        Token token = tokens.get(current);
        if (token.kind() != Token.Kind.END) {
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

    private void expectSymbol(String symbol) {
        if (!accept(symbol)) {
            throw QueryException.syntax(peek(), "'" + symbol + "'");
        }
    }

    private void expectKeyword(String keyword) {
        if (!peek().isKeyword(keyword)) {
            throw QueryException.syntax(peek(), keyword);
        }
        advance();
    }
}
