package io.twingress.query;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.store.NumericBound;

/**
 * Produces one page of a checked query. Rows are produced in ascending key order (twin id; relationship (source id,
 * id), or (target id, source id, id) when the query pins targets; a pattern's id tuple) and the page resumes
 * strictly after the cursor's key, so pages neither repeat nor skip rows that stayed unchanged while other twins
 * were written. A page ends when it is full or, through the {@link Budget}, when the request has read its scan
 * budget; it then resumes after the last key the scan finished, so it may hold fewer items than asked, even none.
 */
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
            return countPage();
        }
        long limit = query.top() > 0 ? Math.min(pageSize, query.top() - cursor.returned()) : pageSize;
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
        List<String> resumeAfter = more ? lastKey : budget.paused() ? budget.resumeKey() : null;
        String token = resumeAfter == null ? null
                : new Cursor(query.text(), resumeAfter, cursor.returned() + items.size()).encode(mapper);
        return new QueryPage(items, token, charge(items.size()));
    }

    private double charge(int rows) {
        return Math.round((BASE_CHARGE + CHARGE_PER_READ * budget.reads() + CHARGE_PER_ROW * rows) * 100) / 100.0;
    }

    /** COUNT() is one row; while the scan budget splits the count, the pages before it are empty. */
    private QueryPage countPage() {
        long counted = cursor.returned() + count();
        if (budget.paused()) {
            return new QueryPage(List.of(), new Cursor(query.text(), budget.resumeKey(), counted).encode(mapper),
                    charge(0));
        }
        ObjectNode row = mapper.createObjectNode();
        row.put("COUNT", counted);
        return new QueryPage(List.of(row), null, charge(1));
    }

    private long count() {
        if (cursor.after() == null && query.pattern() == null && !query.relationships()) {
            if (query.where() == null) {
                return source.countTwins(null);
            }
            if (query.where() instanceof Expr.IsOfModel isOfModel) {
                return source.countTwins(evaluator.family(isOfModel));
            }
        }
        long[] count = {0};
        produce(cursor.after(), (key, binding) -> {
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
        try {
            if (query.pattern() != null) {
                PatternWalk walk = new PatternWalk(query, source, evaluator, budget);
                walk.checkKey(after);
                walk.run(after, sink);
            } else if (query.relationships()) {
                relationships(after, sink);
            } else {
                checkKey(after, 1);
                twins(after == null ? null : after.get(0), sink);
            }
        } catch (Budget.Pause pause) {
            // the scan budget is spent: the page ends at the last key the scan finished
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
            List<String> ids = new ArrayList<>(after == null ? pinned : pinned.tailSet(after, false));
            for (int from = 0; from < ids.size(); ) {
                List<String> batch = ids.subList(from, from + budget.allow(ids.size() - from));
                Map<String, ObjectNode> found = source.twins(batch);
                budget.read(batch.size());
                for (String id : batch) {
                    ObjectNode twin = found.get(id);
                    if (twin != null && !offer(List.of(id), twin, sink)) {
                        return;
                    }
                    budget.passed(List.of(id));
                }
                from += batch.size();
            }
            return;
        }
        Collection<String> models = modelHint();
        List<NumericBound> bounds = QueryAnalyzer.numericBounds(query.where(), alias);
        // When most twins read are rows (no condition, or the store already applied the bounds), read about what
        // the page still needs plus the one row that proves another page follows, rather than a chunk that the
        // next page reads again.
        boolean dense = query.where() == null || !bounds.isEmpty();
        int wanted = dense ? Math.min(SCAN_CHUNK, pageSize) + 1 : SCAN_CHUNK;
        while (true) {
            int chunk = budget.allow(wanted);
            List<ObjectNode> twins = source.twins(models, bounds, after, chunk);
            budget.read(twins.size());
            for (ObjectNode twin : twins) {
                after = twin.get("$dtId").asText();
                if (!offer(List.of(after), twin, sink)) {
                    return;
                }
                budget.passed(List.of(after));
            }
            if (twins.size() < chunk) {
                return;
            }
            if (dense) {
                wanted = Math.min(SCAN_CHUNK, Math.max(MIN_DENSE_CHUNK, 2 * (pageSize - items.size()) + 1));
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
            // pinned ends bound the work to their neighbourhoods, read one end after the other
            checkKey(after, sources != null ? 2 : 3);
            if (names == null || !names.isEmpty()) {
                neighbourhoods(sources != null ? sources : targets, sources != null, names, after, sink);
            }
            return;
        }
        checkKey(after, 2);
        String afterSource = after == null ? null : after.get(0);
        String afterId = after == null ? null : after.get(1);
        while (true) {
            int chunk = budget.allow(SCAN_CHUNK);
            List<ObjectNode> relationships = source.relationships(afterSource, afterId, chunk);
            budget.read(relationships.size());
            for (ObjectNode relationship : relationships) {
                afterSource = relationship.get("$sourceId").asText();
                afterId = relationship.get("$relationshipId").asText();
                List<String> key = List.of(afterSource, afterId);
                if (!offer(key, relationship, sink)) {
                    return;
                }
                budget.passed(key);
            }
            if (relationships.size() < chunk) {
                return;
            }
        }
    }

    /**
     * The outgoing relationships of pinned sources, keyed (source id, id), or the incoming ones of pinned targets,
     * keyed (target id, source id, id): the store's order for each twin, twin after twin.
     */
    private void neighbourhoods(NavigableSet<String> ends, boolean outgoing, TreeSet<String> names, List<String> after,
                                Sink sink) {
        for (String end : after == null ? ends : ends.tailSet(after.get(0), true)) {
            boolean resuming = after != null && end.equals(after.get(0));
            String afterSource = resuming && !outgoing ? after.get(1) : null;
            String afterId = resuming ? after.get(after.size() - 1) : null;
            while (true) {
                int chunk = budget.allow(SCAN_CHUNK);
                List<ObjectNode> relationships = outgoing ? source.outgoing(end, names, afterId, chunk)
                        : source.incoming(end, names, afterSource, afterId, chunk);
                budget.read(relationships.size());
                for (ObjectNode relationship : relationships) {
                    afterSource = relationship.get("$sourceId").asText();
                    afterId = relationship.get("$relationshipId").asText();
                    List<String> key = outgoing ? List.of(end, afterId) : List.of(end, afterSource, afterId);
                    if (!offer(key, relationship, sink)) {
                        return;
                    }
                    budget.passed(key);
                }
                if (relationships.size() < chunk) {
                    break;
                }
            }
        }
    }

    /** Checks the condition; true means keep producing. */
    private boolean offer(List<String> key, ObjectNode item, Sink sink) {
        Map<String, ObjectNode> binding = Map.of(alias, item);
        return (query.where() != null && !evaluator.test(query.where(), binding)) || sink.accept(key, binding);
    }
}
