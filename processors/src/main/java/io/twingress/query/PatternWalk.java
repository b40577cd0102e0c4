package io.twingress.query;

import java.util.ArrayList;
import java.util.Comparator;
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
 * <p>Rows come out in ascending order of their key, the tuple of ids bound step by step (twin id, then
 * relationship id for single-hop edges), which is what lets a continuation resume strictly after the last
 * row. A multi-hop edge contributes only the twin it reaches, each once, however many paths lead there.
 */
final class PatternWalk {

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

    private static final Comparator<List<String>> KEY_ORDER = PatternWalk::compareKeys;

    private final GraphSource source;
    private final Evaluator evaluator;
    private final Budget budget;
    private final String start;
    private final TreeSet<String> startIds;
    private final List<Step> steps = new ArrayList<>();
    /** Conditions checked as soon as all their aliases are bound: index 0 after the start twin, i after step i. */
    private final List<List<Expr>> checks = new ArrayList<>();
    private final int keyLength;

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
        this.keyLength = plan(query.pattern().edges());
        assignChecks(query.where());
    }

    int keyLength() {
        return keyLength;
    }

    private int plan(List<Edge> edges) {
        Set<String> bound = new HashSet<>(Set.of(start));
        List<Edge> remaining = new ArrayList<>(edges);
        int offset = 1;
        while (!remaining.isEmpty()) {
            Edge edge = remaining.stream()
                    .filter(e -> bound.contains(e.from()) || bound.contains(e.to()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("JOIN and MATCH patterns are connected"));
            remaining.remove(edge);
            boolean forward = bound.contains(edge.from());
            String near = forward ? edge.from() : edge.to();
            String far = forward ? edge.to() : edge.from();
            boolean closing = bound.contains(far);
            int width = (closing ? 0 : 1) + (edge.maxHops() == 1 ? 1 : 0);
            steps.add(new Step(edge, near, far, forward ? edge.direction() : edge.direction().reversed(), closing,
                    offset, width));
            offset += width;
            bound.add(far);
            if (edge.variable() != null) {
                bound.add(edge.variable());
            }
        }
        return offset;
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

    /** Emits matching bindings with keys after {@code after} (null = all) until the sink returns false. */
    void run(List<String> after, QueryRun.Sink sink) {
        Iterable<String> ids = after == null ? startIds : startIds.tailSet(after.get(0), true);
        for (String id : ids) {
            ObjectNode twin = source.twin(id);
            budget.read(1);
            if (twin == null) {
                continue;
            }
            Map<String, ObjectNode> binding = new HashMap<>();
            binding.put(start, twin);
            if (passes(0, binding)
                    && !expand(0, binding, new ArrayList<>(List.of(id)), after != null && id.equals(after.get(0)), after,
                    sink)) {
                return;
            }
        }
    }

    /**
     * {@code tight} says the key so far equals the continuation key's prefix, so candidates must not sort
     * before the continuation key's next part, and a full key equal to it was already returned.
     */
    private boolean expand(int index, Map<String, ObjectNode> binding, List<String> key, boolean tight,
                           List<String> after, QueryRun.Sink sink) {
        if (index == steps.size()) {
            return tight || sink.accept(List.copyOf(key), new HashMap<>(binding));
        }
        Step step = steps.get(index);
        String nearId = binding.get(step.near()).get("$dtId").asText();
        String boundFarId = step.closing() ? binding.get(step.far()).get("$dtId").asText() : null;
        List<Candidate> candidates = step.singleHop() ? hop(step, nearId, boundFarId) : reach(step, nearId, boundFarId);
        // one read for every twin this step reaches, rather than one per relationship
        Map<String, ObjectNode> farTwins = Map.of();
        if (!step.closing() && !candidates.isEmpty()) {
            Set<String> farIds = new HashSet<>();
            candidates.forEach(c -> farIds.add(c.farId()));
            farTwins = source.twins(farIds);
            budget.read(farIds.size());
        }
        for (Candidate candidate : candidates) {
            budget.expand();
            boolean candidateTight = false;
            if (tight) {
                int order = compareKeys(candidate.key(),
                        after.subList(step.keyOffset(), step.keyOffset() + step.keyWidth()));
                if (order < 0) {
                    continue;
                }
                candidateTight = order == 0;
            }
            if (!step.closing()) {
                ObjectNode far = farTwins.get(candidate.farId());
                if (far == null) {
                    continue;
                }
                binding.put(step.far(), far);
            }
            if (step.edge().variable() != null) {
                binding.put(step.edge().variable(), candidate.relationship());
            }
            if (passes(index + 1, binding)) {
                key.addAll(candidate.key());
                if (!expand(index + 1, binding, key, candidateTight, after, sink)) {
                    return false;
                }
                key.subList(key.size() - candidate.key().size(), key.size()).clear();
            }
        }
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

    private List<Candidate> hop(Step step, String nearId, String boundFarId) {
        List<Candidate> candidates = new ArrayList<>();
        for (ObjectNode relationship : relationships(step, nearId)) {
            String farId = farEnd(relationship, nearId);
            String relationshipId = relationship.get("$relationshipId").asText();
            if (boundFarId == null) {
                candidates.add(new Candidate(List.of(farId, relationshipId), farId, relationship));
            } else if (boundFarId.equals(farId)) {
                candidates.add(new Candidate(List.of(relationshipId), farId, relationship));
            }
        }
        candidates.sort(Comparator.comparing(Candidate::key, KEY_ORDER));
        return candidates;
    }

    private List<Candidate> reach(Step step, String nearId, String boundFarId) {
        TreeSet<String> reached = new TreeSet<>();
        Map<String, List<String>> neighbours = new HashMap<>();
        Set<String> onPath = new HashSet<>(Set.of(nearId));
        walk(step, nearId, 0, onPath, neighbours, reached);
        if (boundFarId != null) {
            return reached.contains(boundFarId) ? List.of(new Candidate(List.of(), boundFarId, null)) : List.of();
        }
        return reached.stream().map(id -> new Candidate(List.of(id), id, null)).toList();
    }

    /** Depth-first over simple paths, so cycles end; a twin counts when some path of allowed length reaches it. */
    private void walk(Step step, String id, int depth, Set<String> onPath, Map<String, List<String>> neighbours,
                      Set<String> reached) {
        if (depth == step.edge().maxHops()) {
            return;
        }
        List<String> next = neighbours.computeIfAbsent(id,
                near -> relationships(step, near).stream().map(r -> farEnd(r, near)).distinct().toList());
        for (String neighbour : next) {
            // simple paths can grow exponentially with the hops, although every twin on them was read only once
            budget.expand();
            if (onPath.add(neighbour)) {
                if (depth + 1 >= step.edge().minHops()) {
                    reached.add(neighbour);
                }
                walk(step, neighbour, depth + 1, onPath, neighbours, reached);
                onPath.remove(neighbour);
            }
        }
    }

    private List<ObjectNode> relationships(Step step, String nearId) {
        List<ObjectNode> relationships = new ArrayList<>();
        if (step.direction() != Direction.IN) {
            relationships.addAll(source.outgoing(nearId, step.edge().names()));
        }
        if (step.direction() != Direction.OUT) {
            relationships.addAll(source.incoming(nearId, step.edge().names()));
        }
        budget.read(relationships.size());
        return relationships;
    }

    private static String farEnd(ObjectNode relationship, String nearId) {
        String target = relationship.get("$targetId").asText();
        return target.equals(nearId) ? relationship.get("$sourceId").asText() : target;
    }

    static int compareKeys(List<String> left, List<String> right) {
        for (int i = 0; i < Math.min(left.size(), right.size()); i++) {
            int order = left.get(i).compareTo(right.get(i));
            if (order != 0) {
                return order;
            }
        }
        return Integer.compare(left.size(), right.size());
    }
}
