package io.twingress.query;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import io.twingress.query.Query.Column;
import io.twingress.query.Query.Edge;
import io.twingress.query.Query.Selection;
import io.twingress.store.NumericBound;

/**
 * Resolves names in a parsed query: which leading path segment is an alias, what IS_OF_MODEL's optional
 * arguments mean, what each projected column is called. Also checks the rules that depend on names, such as
 * the {@code $dtId} filter JOIN and MATCH require.
 */
final class QueryAnalyzer {

    static final String DT_ID = "$dtId";

    private enum Kind { TWIN, RELATIONSHIP }

    private final Query query;
    private final Map<String, Kind> aliases = new LinkedHashMap<>();

    private QueryAnalyzer(Query query) {
        this.query = query;
    }

    static Query analyze(Query query) {
        return new QueryAnalyzer(query).run();
    }

    /** The operands of a top-level AND, or the condition itself; empty without a condition. */
    static List<Expr> conjuncts(Expr where) {
        if (where == null) {
            return List.of();
        }
        return where instanceof Expr.And and ? and.operands() : List.of(where);
    }

    /**
     * Numeric bounds top-level conjuncts put on {@code alias}'s properties ({@code T.temperature > 25}), for the
     * store to narrow a scan with. Only plain property paths compared with a number count.
     */
    static List<NumericBound> numericBounds(Expr where, String alias) {
        List<NumericBound> bounds = new ArrayList<>();
        for (Expr conjunct : conjuncts(where)) {
            if (!(conjunct instanceof Expr.Compare compare) || compare.op() == Expr.Op.EQ
                    || compare.op() == Expr.Op.NE) {
                continue;
            }
            boolean literalRight = compare.right() instanceof Expr.Literal;
            Expr pathSide = literalRight ? compare.left() : compare.right();
            Expr literalSide = literalRight ? compare.right() : compare.left();
            if (pathSide instanceof Expr.Path path && alias.equals(path.root())
                    && literalSide instanceof Expr.Literal literal && literal.value().isNumber()
                    && path.segments().stream().noneMatch(n -> n.startsWith("$"))) {
                // "T.x < 5" bounds x from above; "5 < T.x" from below
                boolean less = compare.op() == Expr.Op.LT || compare.op() == Expr.Op.LE;
                bounds.add(new NumericBound(path.segments(), less == literalRight, literal.value().decimalValue()));
            }
        }
        return bounds;
    }

    /**
     * The values a top-level conjunct pins {@code alias.field} to ({@code = 'x'} or {@code IN [...]}), or null
     * when nothing pins it. Several pins intersect.
     */
    static TreeSet<String> pinnedValues(Expr where, String alias, String field) {
        TreeSet<String> pinned = null;
        for (Expr conjunct : conjuncts(where)) {
            TreeSet<String> values = pin(conjunct, alias, field);
            if (values != null) {
                if (pinned == null) {
                    pinned = values;
                } else {
                    pinned.retainAll(values);
                }
            }
        }
        return pinned;
    }

    private static TreeSet<String> pin(Expr conjunct, String alias, String field) {
        if (conjunct instanceof Expr.Compare compare && compare.op() == Expr.Op.EQ) {
            Expr other = isField(compare.left(), alias, field) ? compare.right()
                    : isField(compare.right(), alias, field) ? compare.left() : null;
            if (other instanceof Expr.Literal literal) {
                TreeSet<String> values = new TreeSet<>();
                if (literal.value().isTextual()) {
                    values.add(literal.value().textValue());
                }
                return values;
            }
        }
        if (conjunct instanceof Expr.In in && !in.negated() && isField(in.value(), alias, field)) {
            TreeSet<String> values = new TreeSet<>();
            for (JsonNode item : in.items()) {
                if (item.isTextual()) {
                    values.add(item.textValue());
                }
            }
            return values;
        }
        return null;
    }

    private static boolean isField(Expr expr, String alias, String field) {
        return expr instanceof Expr.Path path && alias.equals(path.root())
                && path.segments().size() == 1 && path.segments().get(0).equals(field);
    }

    private Query run() {
        declareAliases();
        Selection selection = query.selection();
        if (selection instanceof Selection.Columns columns) {
            selection = new Selection.Columns(columns(columns.columns()));
        }
        Expr where = query.where() == null ? null : resolve(query.where());
        if (query.pattern() != null && query.pattern().nodes().stream()
                .noneMatch(node -> pinnedValues(where, node, DT_ID) != null)) {
            throw QueryException.invalid(query.pattern().position(), (query.pattern().match() ? "MATCH" : "JOIN")
                    + " needs a $dtId filter on one of its twins; expected WHERE <alias>.$dtId = '<id>'"
                    + " or <alias>.$dtId IN [...] joined to the rest of the condition with AND");
        }
        return new Query(query.text(), selection, query.top(), query.relationships(), query.fromAlias(),
                query.pattern(), where);
    }

    private void declareAliases() {
        Kind fromKind = query.relationships() ? Kind.RELATIONSHIP : Kind.TWIN;
        if (query.pattern() == null) {
            aliases.put(query.fromAlias() == null ? Query.IMPLICIT : query.fromAlias(), fromKind);
            return;
        }
        if (!query.pattern().match()) {
            aliases.put(query.fromAlias(), Kind.TWIN);
        }
        for (Edge edge : query.pattern().edges()) {
            if (query.pattern().match()) {
                declareNode(edge.from(), edge.position());
            } else if (aliases.get(edge.from()) != Kind.TWIN) {
                throw QueryException.invalid(edge.position(), "unknown alias '" + edge.from()
                        + "'; expected one of " + twinAliases());
            }
            if (query.pattern().match()) {
                declareNode(edge.to(), edge.position());
            } else {
                declareNew(edge.to(), Kind.TWIN, edge.position());
            }
            if (edge.variable() != null) {
                declareNew(edge.variable(), Kind.RELATIONSHIP, edge.position());
            }
        }
    }

    /** MATCH may name a twin twice, e.g. to close a cycle; it may not reuse a relationship variable's name. */
    private void declareNode(String alias, int position) {
        if (aliases.putIfAbsent(alias, Kind.TWIN) == Kind.RELATIONSHIP) {
            throw QueryException.invalid(position, "'" + alias + "' already names a relationship; expected a new name");
        }
    }

    private void declareNew(String alias, Kind kind, int position) {
        if (aliases.putIfAbsent(alias, kind) != null) {
            throw QueryException.invalid(position, "alias '" + alias + "' is declared twice; expected a new name");
        }
    }

    private String twinAliases() {
        return String.join(", ", aliases.entrySet().stream().filter(e -> e.getValue() == Kind.TWIN)
                .map(Map.Entry::getKey).filter(alias -> !alias.startsWith("#")).toList());
    }

    private List<Column> columns(List<Column> columns) {
        List<Column> resolved = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Column column : columns) {
            Expr.Path path = resolvePath(column.path());
            String name = column.name() != null ? column.name()
                    : path.segments().isEmpty() ? path.root() : path.segments().get(path.segments().size() - 1);
            if (!names.add(name)) {
                throw QueryException.invalid(column.position(), "column name '" + name
                        + "' is used twice; expected AS with a different name");
            }
            resolved.add(new Column(path, name, column.position()));
        }
        return resolved;
    }

    private Expr resolve(Expr expr) {
        if (expr instanceof Expr.Path path) {
            return resolvePath(path);
        }
        if (expr instanceof Expr.Compare compare) {
            return new Expr.Compare(compare.op(), resolve(compare.left()), resolve(compare.right()), compare.position());
        }
        if (expr instanceof Expr.In in) {
            return new Expr.In(resolve(in.value()), in.items(), in.negated(), in.position());
        }
        if (expr instanceof Expr.And and) {
            return new Expr.And(and.operands().stream().map(this::resolve).toList(), and.position());
        }
        if (expr instanceof Expr.Or or) {
            return new Expr.Or(or.operands().stream().map(this::resolve).toList(), or.position());
        }
        if (expr instanceof Expr.Not not) {
            return new Expr.Not(resolve(not.operand()), not.position());
        }
        if (expr instanceof Expr.Call call) {
            return call.function() == Expr.Function.IS_OF_MODEL ? isOfModel(call)
                    : new Expr.Call(call.function(), call.args().stream().map(this::resolve).toList(), call.position());
        }
        return expr;
    }

    private Expr.Path resolvePath(Expr.Path path) {
        String first = path.segments().get(0);
        if (aliases.containsKey(first)) {
            return new Expr.Path(first, path.segments().subList(1, path.segments().size()), path.position());
        }
        if (aliases.containsKey(Query.IMPLICIT)) {
            return new Expr.Path(Query.IMPLICIT, path.segments(), path.position());
        }
        throw QueryException.invalid(path.position(), "unknown alias '" + first + "'; expected one of "
                + String.join(", ", aliases.keySet().stream().filter(a -> !a.startsWith("#")).toList()));
    }

    private Expr isOfModel(Expr.Call call) {
        List<Expr> args = call.args();
        int next = 0;
        String alias = null;
        if (!args.isEmpty() && args.get(0) instanceof Expr.Path path && path.segments().size() == 1
                && aliases.containsKey(path.segments().get(0))) {
            alias = path.segments().get(0);
            if (aliases.get(alias) != Kind.TWIN) {
                throw QueryException.invalid(path.position(), "IS_OF_MODEL applies to twins but '" + alias
                        + "' is a relationship; expected one of " + twinAliases());
            }
            next++;
        }
        if (next >= args.size() || !(args.get(next) instanceof Expr.Literal model) || !model.value().isTextual()) {
            throw QueryException.invalid(next < args.size() ? args.get(next).position() : call.position(),
                    "IS_OF_MODEL expects a model id string such as 'dtmi:example:Room;1'"
                            + (alias == null ? ", optionally after a twin alias" : ""));
        }
        next++;
        boolean exact = false;
        if (next < args.size()) {
            if (!(args.get(next) instanceof Expr.Path flag) || flag.segments().size() != 1
                    || !flag.segments().get(0).equalsIgnoreCase("exact")) {
                throw QueryException.invalid(args.get(next).position(),
                        "IS_OF_MODEL expects 'exact' or nothing after the model id");
            }
            exact = true;
            next++;
        }
        if (next < args.size()) {
            throw QueryException.invalid(args.get(next).position(),
                    "IS_OF_MODEL takes at most an alias, a model id and 'exact'; expected ')'");
        }
        if (alias == null) {
            alias = defaultTwinAlias(call.position());
        }
        return new Expr.IsOfModel(alias, model.value().textValue(), exact, call.position());
    }

    private String defaultTwinAlias(int position) {
        if (query.pattern() != null) {
            throw QueryException.invalid(position, "IS_OF_MODEL needs a twin alias as its first argument when the"
                    + " query names several twins; expected one of " + twinAliases());
        }
        if (query.relationships()) {
            throw QueryException.invalid(position, "IS_OF_MODEL applies to twins; expected FROM DIGITALTWINS");
        }
        return query.fromAlias() == null ? Query.IMPLICIT : query.fromAlias();
    }
}
