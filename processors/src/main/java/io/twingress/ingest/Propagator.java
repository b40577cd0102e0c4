package io.twingress.ingest;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.AdtException;
import io.twingress.Json;
import io.twingress.model.Content;
import io.twingress.model.InterfaceModel;
import io.twingress.store.StoreTx;
import io.twingress.store.StoredRelationship;
import io.twingress.store.StoredTwin;
import io.twingress.twin.Change;
import io.twingress.twin.ChangeLog;
import io.twingress.twin.TwinModels;
import io.twingress.twin.TwinOperations;

/**
 * The rules file's propagations, applied to every twin change whatever made it (an ingress message, the API, another
 * propagation), inside the change's own write unit: when a rule's property of a twin of the rule's model changes,
 * each twin related to it by the rule's relationship gets its target property set to the new value or to the
 * aggregate over every twin related to it the same way. An aggregate is worked out again when such a relationship is
 * created or deleted, and a copy is made when one is created. An aggregate over no values removes the target property
 * ({@code sum} and {@code count} are 0 then), as does a copy of a removed value. A propagated change is an ordinary
 * patch, so it has its events and propagates further (thermostat → room → floor); a change already made in the same
 * cascade is not made again, which ends any loop, and a cascade stops after {@link #MAX_DEPTH} steps.
 */
public final class Propagator implements ChangeLog {

    private static final Logger LOG = LoggerFactory.getLogger(Propagator.class);
    static final int MAX_DEPTH = 16;
    /** Relationships one propagation step reads at most, per twin. */
    private static final int MAX_RELATED = 10_000;

    private final RulesFile rules;
    private final TwinModels models;
    private volatile TwinOperations twins;
    /** The twin properties set in the cascade running on this thread (the write unit's). */
    private final ThreadLocal<Set<String>> cascade = new ThreadLocal<>();
    /** The rules last checked against the models ({@link #check}). */
    private volatile MappingRules checked;

    public Propagator(RulesFile rules, TwinModels models) {
        this.rules = rules;
        this.models = models;
    }

    /** The operations that apply propagated changes; they report to this log in turn. */
    public void applyWith(TwinOperations twins) {
        this.twins = twins;
    }

    @Override
    public void record(StoreTx tx, Change change) {
        MappingRules current = rules.rules();
        if (current != checked) {
            checked = current;
            check(current);
        }
        List<MappingRules.Propagation> propagations = current.propagations();
        boolean linked = change.kind() == Change.Kind.RELATIONSHIP_CREATE;
        if (propagations.isEmpty() || twins == null || change.kind() != Change.Kind.TWIN_UPDATE && !linked
                && change.kind() != Change.Kind.RELATIONSHIP_DELETE) {
            return;
        }
        boolean outermost = cascade.get() == null;
        if (outermost) {
            cascade.set(new HashSet<>());
        }
        try {
            if (change.isRelationship()) {
                relinked(tx, propagations, linked ? change.after() : Json.parse(change.before()), linked,
                        change.traceparent());
                return;
            }
            InterfaceModel model = models.find(change.modelId());
            for (MappingRules.Propagation rule : propagations) {
                if (model != null && model.isA(rule.model()) && touches(change.patch(), rule.property())) {
                    JsonNode changed = change.after().get(rule.property());
                    for (String target : related(tx, change.twinId(), rule.relationship(), rule.incoming())) {
                        set(tx, rule, target, changed, change.twinId(), change.traceparent());
                    }
                }
            }
        } finally {
            if (outermost) {
                cascade.remove();
            }
        }
    }

    /**
     * A relationship was created or deleted: each rule over relationships of its name, whose twin at the changing end
     * is of the rule's model, sets its target again (an aggregate), or copies that twin's value to it (a copy, when
     * the relationship was created).
     */
    private void relinked(StoreTx tx, List<MappingRules.Propagation> propagations, JsonNode relationship,
            boolean created, String traceparent) {
        String name = relationship.path("$relationshipName").asText();
        String source = relationship.path("$sourceId").asText();
        String target = relationship.path("$targetId").asText();
        for (MappingRules.Propagation rule : propagations) {
            boolean copy = rule.aggregate() == MappingRules.Aggregate.COPY;
            if (!rule.relationship().equals(name) || copy && !created) {
                continue;
            }
            // incoming: the relationship runs from the twin that is set to the twin whose property changes
            String member = rule.incoming() ? target : source;
            StoredTwin twin = tx.twin(member);
            InterfaceModel model = twin == null ? null : models.find(twin.modelId());
            if (model != null && model.isA(rule.model())) {
                JsonNode value = copy ? Json.parse(twin.body()).get(rule.property()) : null;
                if (!copy || value != null) {
                    set(tx, rule, rule.incoming() ? source : target, value, member, traceparent);
                }
            }
        }
    }

    /**
     * Sets the rule's target property of {@code target}: to {@code changed} (a copy) or to the aggregate over its
     * related twins; removed when there is none.
     */
    private void set(StoreTx tx, MappingRules.Propagation rule, String target, JsonNode changed, String from,
            String traceparent) {
        Set<String> done = cascade.get();
        if (done.size() >= MAX_DEPTH) {
            LOG.warn("propagation {} from {} stopped: the cascade reached {} steps", rule.id(), from, MAX_DEPTH);
            return;
        }
        if (!done.add(target + "/" + rule.targetProperty())) {
            return;
        }
        JsonNode value = rule.aggregate() == MappingRules.Aggregate.COPY ? changed : aggregate(tx, rule, target);
        ArrayNode patch = Json.MAPPER.createArrayNode();
        String path = "/" + rule.targetProperty();
        try {
            if (value != null) {
                patch.addObject().put("op", "add").put("path", path).set("value", value);
                twins.upsert(target, patch, traceparent);
            } else {
                StoredTwin twin = tx.twin(target);
                if (twin != null && !Json.parse(twin.body()).at(path).isMissingNode()) {
                    patch.addObject().put("op", "remove").put("path", path);
                    twins.patch(target, patch, null, traceparent);
                }
            }
        } catch (AdtException e) {
            // the rule does not fit this twin (its model has no such property, say): the change stands without it
            LOG.warn("propagation {} could not set {} of {}: {}", rule.id(), rule.targetProperty(), target,
                    e.getMessage());
        }
    }

    /**
     * Says in the log, once per rules file read, which propagations cannot fire as written: a model that is not
     * stored (yet), or one without the rule's property, or without its relationship where the rule's twins declare
     * it (direction outgoing). They are kept: the model may be uploaded or changed later.
     */
    private void check(MappingRules current) {
        problems(current).forEach(LOG::warn);
    }

    /** What {@link #check} says. */
    List<String> problems(MappingRules current) {
        List<String> problems = new ArrayList<>();
        for (MappingRules.Propagation rule : current.propagations()) {
            InterfaceModel model = models.find(rule.model());
            String problem = null;
            if (model == null) {
                problem = "its model " + rule.model() + " is not stored";
            } else if (!(model.content(rule.property()) instanceof Content.Property)) {
                problem = rule.model() + " has no property " + rule.property();
            } else if (!rule.incoming() && !(model.content(rule.relationship()) instanceof Content.Relationship)) {
                problem = rule.model() + " has no relationship " + rule.relationship();
            }
            if (problem != null) {
                problems.add("propagation " + rule.id() + " does not fire while " + problem);
            }
        }
        return problems;
    }

    /** The value over every twin related to {@code target} the way the changed twin is. */
    private static JsonNode aggregate(StoreTx tx, MappingRules.Propagation rule, String target) {
        // the changed twin is related to target as (incoming: source -> changed); its peers are target's other ends
        List<String> peers = related(tx, target, rule.relationship(), !rule.incoming());
        List<BigDecimal> values = new ArrayList<>();
        for (StoredTwin peer : tx.twinsById(peers)) {
            JsonNode v = Json.parse(peer.body()).get(rule.property());
            if (v != null && v.isNumber()) {
                values.add(v.decimalValue());
            }
        }
        if (rule.aggregate() == MappingRules.Aggregate.COUNT) {
            return JsonNodeFactory.instance.numberNode(values.size());
        }
        if (values.isEmpty()) {
            return rule.aggregate() == MappingRules.Aggregate.SUM ? JsonNodeFactory.instance.numberNode(0) : null;
        }
        BigDecimal result = switch (rule.aggregate()) {
            case MIN -> values.stream().reduce(BigDecimal::min).orElseThrow();
            case MAX -> values.stream().reduce(BigDecimal::max).orElseThrow();
            case SUM -> values.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
            default -> values.stream().reduce(BigDecimal.ZERO, BigDecimal::add)
                    .divide(BigDecimal.valueOf(values.size()), MathContext.DECIMAL64);
        };
        return Json.MAPPER.getNodeFactory().numberNode(result);
    }

    /** The twins at the other end of {@code twinId}'s relationships named {@code name}. */
    private static List<String> related(StoreTx tx, String twinId, String name, boolean incoming) {
        List<String> ids = new ArrayList<>();
        if (incoming) {
            for (StoredRelationship r : tx.incoming(twinId, List.of(name), null, null, MAX_RELATED)) {
                ids.add(r.sourceId());
            }
        } else {
            for (StoredRelationship r : tx.outgoing(twinId, List.of(name), null, MAX_RELATED)) {
                ids.add(r.targetId());
            }
        }
        return ids;
    }

    private static boolean touches(JsonNode patch, String property) {
        String pointer = "/" + property.replace("~", "~0").replace("/", "~1");
        for (JsonNode op : patch) {
            String path = op.path("path").asText();
            if (path.equals(pointer) || path.startsWith(pointer + "/")) {
                return true;
            }
        }
        return false;
    }
}
