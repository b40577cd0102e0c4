package io.twingress.query;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A {@link GraphSource} over sorted maps, for tests. Hands out copies so the engine cannot change stored data,
 * and counts full scans so tests can tell a planned lookup from a scan.
 */
public class InMemoryGraphSource implements GraphSource {

    private final TreeMap<String, ObjectNode> twins = new TreeMap<>();
    /** Source id, then relationship id: the order {@link #relationships} must follow. */
    private final TreeMap<String, TreeMap<String, ObjectNode>> relationshipsBySource = new TreeMap<>();
    private final Map<String, Set<String>> bases = new HashMap<>();
    private final List<Collection<String>> scanHints = new ArrayList<>();
    private int countCalls;

    public synchronized void clear() {
        twins.clear();
        relationshipsBySource.clear();
        bases.clear();
        scanHints.clear();
        countCalls = 0;
    }

    public synchronized void putTwin(ObjectNode twin) {
        twins.put(twin.get("$dtId").asText(), twin.deepCopy());
    }

    public synchronized void deleteTwin(String id) {
        twins.remove(id);
    }

    public synchronized void putRelationship(ObjectNode relationship) {
        relationshipsBySource.computeIfAbsent(relationship.get("$sourceId").asText(), s -> new TreeMap<>())
                .put(relationship.get("$relationshipId").asText(), relationship.deepCopy());
    }

    /** Registers a DTDL interface; only {@code @id} and {@code extends} matter here. */
    public synchronized void addModel(JsonNode model) {
        Set<String> extended = new HashSet<>();
        JsonNode extendsNode = model.path("extends");
        if (extendsNode.isTextual()) {
            extended.add(extendsNode.asText());
        }
        extendsNode.forEach(base -> extended.add(base.asText()));
        bases.put(model.get("@id").asText(), extended);
    }

    /** The {@code modelIds} argument (null = no hint) of every {@link #twins} call so far, in order. */
    public synchronized List<Collection<String>> scanHints() {
        return new ArrayList<>(scanHints);
    }

    public synchronized int countCalls() {
        return countCalls;
    }

    @Override
    public synchronized ObjectNode twin(String id) {
        ObjectNode twin = twins.get(id);
        return twin == null ? null : twin.deepCopy();
    }

    @Override
    public synchronized List<ObjectNode> twins(Collection<String> modelIds, String afterId, int limit) {
        scanHints.add(modelIds == null ? null : Set.copyOf(modelIds));
        List<ObjectNode> page = new ArrayList<>();
        for (ObjectNode twin : (afterId == null ? twins : twins.tailMap(afterId, false)).values()) {
            if (page.size() == limit) {
                break;
            }
            if (modelIds == null || modelIds.contains(twin.path("$metadata").path("$model").asText())) {
                page.add(twin.deepCopy());
            }
        }
        return page;
    }

    @Override
    public synchronized List<ObjectNode> relationships(String afterSourceId, String afterRelationshipId, int limit) {
        List<ObjectNode> page = new ArrayList<>();
        var sources = afterSourceId == null ? relationshipsBySource : relationshipsBySource.tailMap(afterSourceId, true);
        for (var entry : sources.entrySet()) {
            var ofSource = entry.getKey().equals(afterSourceId)
                    ? entry.getValue().tailMap(afterRelationshipId, false) : entry.getValue();
            for (ObjectNode relationship : ofSource.values()) {
                if (page.size() == limit) {
                    return page;
                }
                page.add(relationship.deepCopy());
            }
        }
        return page;
    }

    @Override
    public synchronized ObjectNode relationship(String sourceId, String relationshipId) {
        ObjectNode relationship = relationshipsBySource.getOrDefault(sourceId, new TreeMap<>()).get(relationshipId);
        return relationship == null ? null : relationship.deepCopy();
    }

    @Override
    public synchronized List<ObjectNode> outgoing(String sourceId, Set<String> names, String afterId, int limit) {
        List<ObjectNode> found = new ArrayList<>();
        TreeMap<String, ObjectNode> ofSource = relationshipsBySource.getOrDefault(sourceId, new TreeMap<>());
        for (ObjectNode relationship : (afterId == null ? ofSource : ofSource.tailMap(afterId, false)).values()) {
            if (found.size() == limit) {
                break;
            }
            if (names == null || names.contains(relationship.get("$relationshipName").asText())) {
                found.add(relationship.deepCopy());
            }
        }
        return found;
    }

    @Override
    public synchronized List<ObjectNode> incoming(String targetId, Set<String> names, String afterSourceId,
                                                  String afterRelationshipId, int limit) {
        List<ObjectNode> found = new ArrayList<>();
        var sources = afterSourceId == null ? relationshipsBySource : relationshipsBySource.tailMap(afterSourceId, true);
        for (var entry : sources.entrySet()) {
            // as the stores do: a source position without a relationship id resumes at that source's first one
            var ofSource = entry.getKey().equals(afterSourceId) && afterRelationshipId != null
                    ? entry.getValue().tailMap(afterRelationshipId, false) : entry.getValue();
            for (ObjectNode relationship : ofSource.values()) {
                if (found.size() == limit) {
                    return found;
                }
                if (relationship.get("$targetId").asText().equals(targetId)
                        && (names == null || names.contains(relationship.get("$relationshipName").asText()))) {
                    found.add(relationship.deepCopy());
                }
            }
        }
        return found;
    }

    @Override
    public synchronized Set<String> modelAndDerived(String modelId) {
        Set<String> family = new HashSet<>();
        if (bases.containsKey(modelId)) {
            for (String model : bases.keySet()) {
                if (derivesFrom(model, modelId, new HashSet<>())) {
                    family.add(model);
                }
            }
        }
        return family;
    }

    private boolean derivesFrom(String model, String ancestor, Set<String> seen) {
        if (model.equals(ancestor)) {
            return true;
        }
        if (!seen.add(model)) {
            return false;
        }
        for (String base : bases.getOrDefault(model, Set.of())) {
            if (derivesFrom(base, ancestor, seen)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public synchronized long countTwins(Collection<String> modelIds) {
        countCalls++;
        return twins.values().stream()
                .filter(t -> modelIds == null || modelIds.contains(t.path("$metadata").path("$model").asText()))
                .count();
    }
}
