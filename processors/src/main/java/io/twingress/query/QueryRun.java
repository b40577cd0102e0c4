package io.twingress.query;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Produces one page of a checked query. Rows are produced in ascending key order (twin id, relationship
 * (source id, id), or a pattern's id tuple) and the page resumes strictly after the cursor's key, so pages
 * neither repeat nor skip rows that stayed unchanged while other twins were written.
 */
import io.twingress.store.NumericBound;

final class QueryRun {

    /** Receives matching rows in key order; returning false stops the producer. */
    interface Sink {
        boolean accept(List<String> key, Map<String, ObjectNode> binding);
    }

    /** Twins or relationships read from the store per call when scanning. */
    static final int SCAN_CHUNK = 1000;
    /** The smallest follow-up read of a dense scan, so that a page is not finished one twin at a time. */
    private static final int MIN_DENSE_CHUNK = 32;

    private static final double BASE_CHARGE = 1.0;
    private static final double CHARGE_PER_READ = 0.05;
    private static final double CHARGE_PER_ROW = 0.2;

    private static final Comparator<ObjectNode> RELATIONSHIP_ORDER = Comparator
            .comparing((ObjectNode r) -> r.get("$sourceId").asText())
            .thenComparing(r -> r.get("$relationshipId").asText());

    private final Query query;
    private final GraphSource source;
    private final ObjectMapper mapper;
    private final Cursor cursor;
    private final int pageSize;
    private final Budget budget;
    private final Evaluator evaluator;
    private final String alias;
    private final List<JsonNode> items = new ArrayList<>();
    private List<String> lastKey;
    private boolean more;

    QueryRun(Query query, GraphSource source, ObjectMapper mapper, Cursor cursor, int pageSize, Budget budget) {
        this.query = query;
        this.source = source;
        this.mapper = mapper;
        this.cursor = cursor;
        this.pageSize = pageSize;
        this.budget = budget;
        this.evaluator = new Evaluator(source);
        this.alias = query.fromAlias() == null ? Query.IMPLICIT : query.fromAlias();
    }

    QueryPage page() {
        if (query.selection() instanceof Query.Selection.Count) {
            ObjectNode row = mapper.createObjectNode();
            row.put("COUNT", count());
            return new QueryPage(List.of(row), null, charge(1));
        }
        int limit = query.top() > 0 ? Math.min(pageSize, query.top() - cursor.returned()) : pageSize;
        if (limit > 0) {
            produce(cursor.after(), (key, binding) -> {
                if (items.size() == limit) {
                    // One row beyond the page proves a continuation token is needed.
                    more = true;
                    return false;
                }
                items.add(row(binding));
                lastKey = key;
                return query.top() == 0 || cursor.returned() + items.size() < query.top();
            });
        }
        String token = more ? new Cursor(query.text(), lastKey, cursor.returned() + items.size()).encode(mapper) : null;
        return new QueryPage(items, token, charge(items.size()));
    }

    private double charge(int rows) {
        return Math.round((BASE_CHARGE + CHARGE_PER_READ * budget.reads() + CHARGE_PER_ROW * rows) * 100) / 100.0;
    }

    private long count() {
        if (query.pattern() == null && !query.relationships()) {
            if (query.where() == null) {
                return source.countTwins(null);
            }
            if (query.where() instanceof Expr.IsOfModel isOfModel) {
                return source.countTwins(evaluator.family(isOfModel));
            }
        }
        long[] count = {0};
        produce(null, (key, binding) -> {
            count[0]++;
            return true;
        });
        return count[0];
    }

    private JsonNode row(Map<String, ObjectNode> binding) {
        if (!(query.selection() instanceof Query.Selection.Columns columns)) {
            return binding.get(alias);
        }
        ObjectNode row = mapper.createObjectNode();
        for (Query.Column column : columns.columns()) {
            JsonNode value = evaluator.value(column.path(), binding);
            if (value != null) {
                row.set(column.name(), value);
            }
        }
        return row;
    }

    private void produce(List<String> after, Sink sink) {
        if (query.pattern() != null) {
            PatternWalk walk = new PatternWalk(query, source, evaluator, budget);
            checkKey(after, walk.keyLength());
            walk.run(after, sink);
        } else if (query.relationships()) {
            checkKey(after, 2);
            relationships(after, sink);
        } else {
            checkKey(after, 1);
            twins(after == null ? null : after.get(0), sink);
        }
    }

    private static void checkKey(List<String> after, int length) {
        if (after != null && after.size() != length) {
            throw Cursor.invalid();
        }
    }

    private void twins(String after, Sink sink) {
        TreeSet<String> pinned = QueryAnalyzer.pinnedValues(query.where(), alias, QueryAnalyzer.DT_ID);
        if (pinned != null) {
            for (String id : after == null ? pinned : pinned.tailSet(after, false)) {
                ObjectNode twin = source.twin(id);
                budget.read(1);
                if (twin != null && !offer(List.of(id), twin, sink)) {
                    return;
                }
            }
            return;
        }
        Collection<String> models = modelHint();
        List<NumericBound> bounds = QueryAnalyzer.numericBounds(query.where(), alias);
        // When most twins read are rows (no condition, or the store already applied the bounds), read about what
        // the page still needs plus the one row that proves another page follows, rather than a chunk that the
        // next page reads again.
        boolean dense = query.where() == null || !bounds.isEmpty();
        int chunk = dense ? Math.min(SCAN_CHUNK, pageSize) + 1 : SCAN_CHUNK;
        while (true) {
            List<ObjectNode> twins = source.twins(models, bounds, after, chunk);
            budget.read(twins.size());
            for (ObjectNode twin : twins) {
                after = twin.get("$dtId").asText();
                if (!offer(List.of(after), twin, sink)) {
                    return;
                }
            }
            if (twins.size() < chunk) {
                return;
            }
            if (dense) {
                chunk = Math.min(SCAN_CHUNK, Math.max(MIN_DENSE_CHUNK, 2 * (pageSize - items.size()) + 1));
            }
        }
    }

    private Collection<String> modelHint() {
        for (Expr conjunct : QueryAnalyzer.conjuncts(query.where())) {
            if (conjunct instanceof Expr.IsOfModel isOfModel && isOfModel.alias().equals(alias)) {
                return evaluator.family(isOfModel);
            }
        }
        return null;
    }

    private void relationships(List<String> after, Sink sink) {
        Expr where = query.where();
        TreeSet<String> names = QueryAnalyzer.pinnedValues(where, alias, "$relationshipName");
        TreeSet<String> sources = QueryAnalyzer.pinnedValues(where, alias, "$sourceId");
        TreeSet<String> targets = QueryAnalyzer.pinnedValues(where, alias, "$targetId");
        if (sources != null || targets != null) {
            // Pinned ends bound the work to the neighbourhood; sorting restores the scan's key order.
            List<ObjectNode> found = new ArrayList<>();
            Set<String> nameHint = names;
            if (sources != null) {
                sources.forEach(id -> found.addAll(source.outgoing(id, nameHint)));
            } else {
                targets.forEach(id -> found.addAll(source.incoming(id, nameHint)));
            }
            budget.read(found.size());
            found.sort(RELATIONSHIP_ORDER);
            for (ObjectNode relationship : found) {
                List<String> key = relationshipKey(relationship);
                if ((after == null || PatternWalk.compareKeys(key, after) > 0) && !offer(key, relationship, sink)) {
                    return;
                }
            }
            return;
        }
        String afterSource = after == null ? null : after.get(0);
        String afterId = after == null ? null : after.get(1);
        while (true) {
            List<ObjectNode> relationships = source.relationships(afterSource, afterId, SCAN_CHUNK);
            budget.read(relationships.size());
            for (ObjectNode relationship : relationships) {
                List<String> key = relationshipKey(relationship);
                afterSource = key.get(0);
                afterId = key.get(1);
                if (!offer(key, relationship, sink)) {
                    return;
                }
            }
            if (relationships.size() < SCAN_CHUNK) {
                return;
            }
        }
    }

    private static List<String> relationshipKey(ObjectNode relationship) {
        return List.of(relationship.get("$sourceId").asText(), relationship.get("$relationshipId").asText());
    }

    /** Checks the condition; true means keep producing. */
    private boolean offer(List<String> key, ObjectNode item, Sink sink) {
        Map<String, ObjectNode> binding = Map.of(alias, item);
        return (query.where() != null && !evaluator.test(query.where(), binding)) || sink.accept(key, binding);
    }
}
