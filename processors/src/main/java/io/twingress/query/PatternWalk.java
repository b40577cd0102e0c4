package io.twingress.query;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.query.Query.Direction;
import io.twingress.query.Query.Edge;

/**
 * Runs JOIN and MATCH patterns: starts at the twins the WHERE clause pins by {@code $dtId} and follows
 * relationships edge by edge, so the cost depends on the neighbourhood, not on the number of twins.
 *
 * <p>Rows come out in ascending order of their key, the tuple of ids bound step by step, which is what lets a
 * continuation resume strictly after the last row. A single-hop step contributes where its relationship sits in
 * the store's order for the direction read: the relationship id going out; the source id and relationship id
 * coming in; for either direction, a tag for the direction first. That lets a twin's relationships be read a chunk
 * at a time and a page end between two chunks. A multi-hop step contributes only the twin it reaches, each once,
 * however many paths lead there; it reads every relationship on those paths in one go, as only the cost budget
 * bounds.
 *
 * <p>A continuation key may be a prefix of a row's key, ending at a step: it then stands for every row that starts
 * with it, all of which earlier pages finished. That is how a page ends where the scan budget ran out.
 */
final class PatternWalk {

    private static final String IN_TAG = "in";
    private static final String OUT_TAG = "out";

    /**
     * One edge in traversal order: from the already bound {@code near} alias to {@code far}. {@code closing}
     * means both ends are already bound (MATCH named a twin twice), so the step only checks a link exists.
     */
    private record Step(Edge edge, String near, String far, Direction direction, boolean closing, int keyOffset,
                        int keyWidth) {

        boolean singleHop() {
            return edge.maxHops() == 1;
        }
    }

    private record Candidate(List<String> key, String farId, ObjectNode relationship) {
    }

    /** A twin's relationships in one direction with some names (null = any). */
    private record Neighbours(String twinId, Direction direction, Set<String> names) {
    }

    private final GraphSource source;
    private final Evaluator evaluator;
    private final Budget budget;
    private final String start;
    private final TreeSet<String> startIds;
    private final List<Step> steps = new ArrayList<>();
    /** Conditions checked as soon as all their aliases are bound: index 0 after the start twin, i after step i. */
    private final List<List<Expr>> checks = new ArrayList<>();
    /** The lengths a continuation key may have: where a step's part of the key ends. */
    private final Set<Integer> keyLengths = new HashSet<>();
    /*
     * What this request has read, since a dense graph reaches the same twins by many paths: twins (null when
     * missing), complete relationship lists, and the twins those lists lead to. Only expanding is charged again.
     */
    private final Map<String, ObjectNode> twinCache = new HashMap<>();
    private final Map<Neighbours, List<ObjectNode>> relationshipCache = new HashMap<>();
    private final Map<Neighbours, List<String>> neighbourIdCache = new HashMap<>();
    private List<String> after;
    private QueryRun.Sink sink;

    PatternWalk(Query query, GraphSource source, Evaluator evaluator, Budget budget) {
        this.source = source;
        this.evaluator = evaluator;
        this.budget = budget;
        String pinned = null;
        TreeSet<String> pinnedIds = null;
        for (String node : query.pattern().nodes()) {
            TreeSet<String> ids = QueryAnalyzer.pinnedValues(query.where(), node, QueryAnalyzer.DT_ID);
            if (ids != null && (pinnedIds == null || ids.size() < pinnedIds.size())) {
                pinned = node;
                pinnedIds = ids;
            }
        }
        this.start = pinned;
        this.startIds = pinnedIds;
        plan(query.pattern().edges());
        assignChecks(query.where());
    }

    /** Rejects a continuation key this pattern could not have produced. */
    void checkKey(List<String> key) {
        if (key != null && !keyLengths.contains(key.size())) {
            throw Cursor.invalid();
        }
    }

    private void plan(List<Edge> edges) {
        Set<String> bound = new HashSet<>(Set.of(start));
        List<Edge> remaining = new ArrayList<>(edges);
        int offset = 1;
        keyLengths.add(offset);
        while (!remaining.isEmpty()) {
            Edge edge = remaining.stream()
                    .filter(e -> bound.contains(e.from()) || bound.contains(e.to()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("JOIN and MATCH patterns are connected"));
            remaining.remove(edge);
            boolean forward = bound.contains(edge.from());
            String near = forward ? edge.from() : edge.to();
            String far = forward ? edge.to() : edge.from();
            Direction direction = forward ? edge.direction() : edge.direction().reversed();
            boolean closing = bound.contains(far);
            int width = edge.maxHops() > 1 ? (closing ? 0 : 1) : switch (direction) {
                case OUT -> 1;
                case IN -> 2;
                case BOTH -> 3;
            };
            steps.add(new Step(edge, near, far, direction, closing, offset, width));
            offset += width;
            keyLengths.add(offset);
            bound.add(far);
            if (edge.variable() != null) {
                bound.add(edge.variable());
            }
        }
    }

    private void assignChecks(Expr where) {
        Map<String, Integer> boundAt = new HashMap<>();
        boundAt.put(start, 0);
        for (int i = 0; i < steps.size(); i++) {
            boundAt.putIfAbsent(steps.get(i).far(), i + 1);
            if (steps.get(i).edge().variable() != null) {
                boundAt.put(steps.get(i).edge().variable(), i + 1);
            }
        }
        for (int i = 0; i <= steps.size(); i++) {
            checks.add(new ArrayList<>());
        }
        for (Expr conjunct : QueryAnalyzer.conjuncts(where)) {
            Set<String> aliases = new LinkedHashSet<>();
            collectAliases(conjunct, aliases);
            int level = aliases.stream().mapToInt(alias -> boundAt.getOrDefault(alias, 0)).max().orElse(0);
            checks.get(level).add(conjunct);
        }
    }

    private static void collectAliases(Expr expr, Set<String> aliases) {
        if (expr instanceof Expr.Path path) {
            aliases.add(path.root());
        } else if (expr instanceof Expr.IsOfModel isOfModel) {
            aliases.add(isOfModel.alias());
        } else if (expr instanceof Expr.Compare compare) {
            collectAliases(compare.left(), aliases);
            collectAliases(compare.right(), aliases);
        } else if (expr instanceof Expr.In in) {
            collectAliases(in.value(), aliases);
        } else if (expr instanceof Expr.And and) {
            and.operands().forEach(operand -> collectAliases(operand, aliases));
        } else if (expr instanceof Expr.Or or) {
            or.operands().forEach(operand -> collectAliases(operand, aliases));
        } else if (expr instanceof Expr.Not not) {
            collectAliases(not.operand(), aliases);
        } else if (expr instanceof Expr.Call call) {
            call.args().forEach(arg -> collectAliases(arg, aliases));
        }
    }

    /**
     * Emits matching bindings after {@code after} (null = all) until the sink returns false, reporting every key
     * it finishes to the budget, which may end the walk early by throwing {@link Budget.Pause}.
     */
    void run(List<String> after, QueryRun.Sink sink) {
        this.after = after;
        this.sink = sink;
        Iterable<String> ids = after == null ? startIds : startIds.tailSet(after.get(0), after.size() > 1);
        for (String id : ids) {
            ObjectNode twin = twins(List.of(id)).get(id);
            if (twin != null) {
                Map<String, ObjectNode> binding = new HashMap<>();
                binding.put(start, twin);
                boolean tight = after != null && id.equals(after.get(0));
                if (passes(0, binding) && !expand(0, binding, new ArrayList<>(List.of(id)), tight)) {
                    return;
                }
            }
            budget.passed(List.of(id));
        }
    }

    /**
     * Binds step {@code index} onwards. {@code tight} says the key so far equals the continuation key's prefix, so
     * candidates must not sort before the continuation key's next part.
     */
    private boolean expand(int index, Map<String, ObjectNode> binding, List<String> key, boolean tight) {
        if (tight && after.size() <= key.size()) {
            // the continuation key ends here: earlier pages finished every row below it
            return true;
        }
        if (index == steps.size()) {
            return sink.accept(List.copyOf(key), new HashMap<>(binding));
        }
        Step step = steps.get(index);
        String nearId = id(binding.get(step.near()));
        String boundFarId = step.closing() ? id(binding.get(step.far())) : null;
        // the continuation key's part for this step, and whether it stops at this step (then that candidate is
        // finished) or goes deeper (then that candidate is resumed first)
        List<String> resume = tight ? after.subList(step.keyOffset(), step.keyOffset() + step.keyWidth()) : null;
        boolean reenter = tight && after.size() > step.keyOffset() + step.keyWidth();
        return step.singleHop() ? hop(index, step, nearId, boundFarId, binding, key, resume, reenter)
                : reach(index, step, nearId, boundFarId, binding, key, resume, reenter);
    }

    private boolean hop(int index, Step step, String nearId, String boundFarId, Map<String, ObjectNode> binding,
                        List<String> key, List<String> resume, boolean reenter) {
        if (reenter) {
            Candidate candidate = refetch(step, nearId, boundFarId, resume);
            if (candidate != null && !visit(index, step, List.of(candidate), binding, key, true)) {
                return false;
            }
        }
        List<Direction> parts = step.direction() == Direction.BOTH ? List.of(Direction.IN, Direction.OUT)
                : List.of(step.direction());
        for (Direction part : parts) {
            List<String> position = resume;
            if (resume != null && step.direction() == Direction.BOTH) {
                int order = tag(part).compareTo(resume.get(0));
                if (order < 0) {
                    continue;
                }
                position = order == 0 ? resume.subList(1, resume.size()) : null;
            }
            if (!hopPart(index, step, part, nearId, boundFarId, binding, key, position)) {
                return false;
            }
        }
        return true;
    }

    /** One direction of a single-hop step, after {@code position} in the store's order (null = from the start). */
    private boolean hopPart(int index, Step step, Direction part, String nearId, String boundFarId,
                            Map<String, ObjectNode> binding, List<String> key, List<String> position) {
        Neighbours which = new Neighbours(nearId, part, step.edge().names());
        List<ObjectNode> cached = position == null ? relationshipCache.get(which) : null;
        if (cached != null) {
            return visit(index, step, candidates(step, part, boundFarId, cached), binding, key, false);
        }
        String afterSource = position != null && part == Direction.IN ? position.get(0) : null;
        String afterId = position == null ? null : position.get(part == Direction.IN ? 1 : 0);
        boolean whole = position == null;
        while (true) {
            // half the room: the twins these relationships lead to are read next
            int limit = budget.allow(2 * QueryRun.SCAN_CHUNK, 2) / 2;
            List<ObjectNode> chunk = read(part, nearId, step.edge().names(), afterSource, afterId, limit);
            budget.read(chunk.size());
            if (whole && chunk.size() < limit) {
                relationshipCache.put(which, chunk);
            }
            whole = false;
            if (!visit(index, step, candidates(step, part, boundFarId, chunk), binding, key, false)) {
                return false;
            }
            if (chunk.size() < limit) {
                return true;
            }
            ObjectNode last = chunk.get(chunk.size() - 1);
            afterSource = last.get("$sourceId").asText();
            afterId = last.get("$relationshipId").asText();
        }
    }

    /** The relationship a continuation key resumes inside, if it still links the near twin as the step says. */
    private Candidate refetch(Step step, String nearId, String boundFarId, List<String> resume) {
        Direction part = step.direction();
        List<String> position = resume;
        if (part == Direction.BOTH) {
            part = resume.get(0).equals(IN_TAG) ? Direction.IN : resume.get(0).equals(OUT_TAG) ? Direction.OUT : null;
            if (part == null) {
                throw Cursor.invalid();
            }
            position = resume.subList(1, resume.size());
        }
        String sourceId = part == Direction.IN ? position.get(0) : nearId;
        String relationshipId = position.get(part == Direction.IN ? 1 : 0);
        budget.allow(1);
        ObjectNode relationship = source.relationship(sourceId, relationshipId);
        budget.read(1);
        Set<String> names = step.edge().names();
        if (relationship == null || (part == Direction.IN && !relationship.get("$targetId").asText().equals(nearId))
                || (names != null && !names.contains(relationship.get("$relationshipName").asText()))) {
            return null;
        }
        List<Candidate> candidates = candidates(step, part, boundFarId, List.of(relationship));
        return candidates.isEmpty() ? null : candidates.get(0);
    }

    private List<Candidate> candidates(Step step, Direction part, String boundFarId, List<ObjectNode> found) {
        List<Candidate> candidates = new ArrayList<>(found.size());
        for (ObjectNode relationship : found) {
            String farId = relationship.get(part == Direction.OUT ? "$targetId" : "$sourceId").asText();
            if (boundFarId != null && !boundFarId.equals(farId)) {
                continue;
            }
            String id = relationship.get("$relationshipId").asText();
            List<String> key = switch (step.direction()) {
                case OUT -> List.of(id);
                case IN -> List.of(farId, id);
                case BOTH -> part == Direction.IN ? List.of(IN_TAG, farId, id) : List.of(OUT_TAG, id, farId);
            };
            candidates.add(new Candidate(key, farId, relationship));
        }
        return candidates;
    }

    private boolean reach(int index, Step step, String nearId, String boundFarId, Map<String, ObjectNode> binding,
                          List<String> key, List<String> resume, boolean reenter) {
        TreeSet<String> reached = new TreeSet<>();
        walk(step, nearId, 0, new HashSet<>(Set.of(nearId)), reached);
        if (step.closing()) {
            return !reached.contains(boundFarId)
                    || visit(index, step, List.of(new Candidate(List.of(), boundFarId, null)), binding, key, reenter);
        }
        if (reenter && reached.contains(resume.get(0))) {
            Candidate resumed = new Candidate(List.of(resume.get(0)), resume.get(0), null);
            if (!visit(index, step, List.of(resumed), binding, key, true)) {
                return false;
            }
        }
        List<Candidate> candidates = new ArrayList<>();
        for (String id : resume == null ? reached : reached.tailSet(resume.get(0), false)) {
            candidates.add(new Candidate(List.of(id), id, null));
        }
        return visit(index, step, candidates, binding, key, false);
    }

    /** Depth-first over simple paths, so cycles end; a twin counts when some path of allowed length reaches it. */
    private void walk(Step step, String id, int depth, Set<String> onPath, Set<String> reached) {
        if (depth == step.edge().maxHops()) {
            return;
        }
        for (String neighbour : neighbourIds(step, id)) {
            // simple paths can grow exponentially with the hops, although every twin on them is read only once
            budget.expand();
            if (onPath.add(neighbour)) {
                if (depth + 1 >= step.edge().minHops()) {
                    reached.add(neighbour);
                }
                walk(step, neighbour, depth + 1, onPath, reached);
                onPath.remove(neighbour);
            }
        }
    }

    private List<String> neighbourIds(Step step, String id) {
        Neighbours which = new Neighbours(id, step.direction(), step.edge().names());
        List<String> ids = neighbourIdCache.get(which);
        if (ids == null) {
            Set<String> found = new LinkedHashSet<>();
            if (step.direction() != Direction.IN) {
                allRelationships(id, Direction.OUT, step.edge().names()).forEach(r -> found.add(r.get("$targetId").asText()));
            }
            if (step.direction() != Direction.OUT) {
                allRelationships(id, Direction.IN, step.edge().names()).forEach(r -> found.add(r.get("$sourceId").asText()));
            }
            ids = List.copyOf(found);
            neighbourIdCache.put(which, ids);
        }
        return ids;
    }

    private List<ObjectNode> allRelationships(String id, Direction part, Set<String> names) {
        Neighbours which = new Neighbours(id, part, names);
        List<ObjectNode> all = relationshipCache.get(which);
        if (all == null) {
            all = new ArrayList<>();
            String afterSource = null;
            String afterId = null;
            while (true) {
                int limit = budget.allow(QueryRun.SCAN_CHUNK);
                List<ObjectNode> chunk = read(part, id, names, afterSource, afterId, limit);
                budget.read(chunk.size());
                all.addAll(chunk);
                if (chunk.size() < limit) {
                    break;
                }
                afterSource = chunk.get(chunk.size() - 1).get("$sourceId").asText();
                afterId = chunk.get(chunk.size() - 1).get("$relationshipId").asText();
            }
            relationshipCache.put(which, all);
        }
        return all;
    }

    private List<ObjectNode> read(Direction part, String id, Set<String> names, String afterSource, String afterId,
                                  int limit) {
        return part == Direction.OUT ? source.outgoing(id, names, afterId, limit)
                : source.incoming(id, names, afterSource, afterId, limit);
    }

    /**
     * Binds each candidate in turn and expands the next step; the far twins are read in batches the scan budget has
     * room for, so a page can end between two batches.
     */
    private boolean visit(int index, Step step, List<Candidate> candidates, Map<String, ObjectNode> binding,
                          List<String> key, boolean tight) {
        for (int from = 0; from < candidates.size(); ) {
            List<Candidate> batch = candidates.subList(from,
                    Math.min(candidates.size(), from + budget.room(QueryRun.SCAN_CHUNK)));
            Map<String, ObjectNode> farTwins = Map.of();
            if (!step.closing()) {
                List<String> farIds = new ArrayList<>(batch.size());
                batch.forEach(c -> farIds.add(c.farId()));
                farTwins = twins(farIds);
            }
            for (Candidate candidate : batch) {
                if (!visit(index, step, candidate, farTwins, binding, key, tight)) {
                    return false;
                }
            }
            from += batch.size();
        }
        return true;
    }

    private boolean visit(int index, Step step, Candidate candidate, Map<String, ObjectNode> farTwins,
                          Map<String, ObjectNode> binding, List<String> key, boolean tight) {
        budget.expand();
        // a relationship may lead to a twin deleted since it was read
        ObjectNode far = step.closing() ? binding.get(step.far()) : farTwins.get(candidate.farId());
        int keySize = key.size();
        key.addAll(candidate.key());
        if (far != null) {
            binding.put(step.far(), far);
            if (step.edge().variable() != null) {
                binding.put(step.edge().variable(), candidate.relationship());
            }
            if (passes(index + 1, binding) && !expand(index + 1, binding, key, tight)) {
                return false;
            }
        }
        budget.passed(List.copyOf(key));
        key.subList(keySize, key.size()).clear();
        return true;
    }

    private boolean passes(int level, Map<String, ObjectNode> binding) {
        for (Expr check : checks.get(level)) {
            if (!evaluator.test(check, binding)) {
                return false;
            }
        }
        return true;
    }

    /** The twins among {@code ids} that exist, each read from the source once per request. */
    private Map<String, ObjectNode> twins(Collection<String> ids) {
        Map<String, ObjectNode> found = new HashMap<>();
        List<String> unread = new ArrayList<>();
        for (String id : new LinkedHashSet<>(ids)) {
            if (!twinCache.containsKey(id)) {
                unread.add(id);
            } else if (twinCache.get(id) != null) {
                found.put(id, twinCache.get(id));
            }
        }
        for (int from = 0; from < unread.size(); ) {
            List<String> batch = unread.subList(from, from + budget.allow(unread.size() - from));
            Map<String, ObjectNode> read = source.twins(batch);
            budget.read(batch.size());
            for (String id : batch) {
                ObjectNode twin = read.get(id);
                twinCache.put(id, twin);
                if (twin != null) {
                    found.put(id, twin);
                }
            }
            from += batch.size();
        }
        return found;
    }

    private static String id(ObjectNode twin) {
        return twin.get("$dtId").asText();
    }

    private static String tag(Direction part) {
        return part == Direction.IN ? IN_TAG : OUT_TAG;
    }
}
