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
 * aggregate over every twin related to it the same way. A propagated change is an ordinary patch, so it has its
 * events and propagates further (thermostat → room → floor); a change already made in the same cascade is not made
 * again, which ends any loop, and a cascade stops after {@link #MAX_DEPTH} steps.
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
        List<MappingRules.Propagation> propagations = rules.rules().propagations();
        if (propagations.isEmpty() || change.isRelationship() || change.kind() != Change.Kind.TWIN_UPDATE
                || twins == null) {
            return;
        }
        boolean outermost = cascade.get() == null;
        if (outermost) {
            cascade.set(new HashSet<>());
        }
        try {
            InterfaceModel model = models.find(change.modelId());
            for (MappingRules.Propagation rule : propagations) {
                if (model != null && model.isA(rule.model()) && touches(change.patch(), rule.property())) {
                    propagate(tx, rule, change);
                }
            }
        } finally {
            if (outermost) {
                cascade.remove();
            }
        }
    }

    private void propagate(StoreTx tx, MappingRules.Propagation rule, Change change) {
        Set<String> done = cascade.get();
        if (done.size() >= MAX_DEPTH) {
            LOG.warn("propagation {} from {} stopped: the cascade reached {} steps", rule.id(), change.twinId(),
                    MAX_DEPTH);
            return;
        }
        JsonNode changed = change.after().get(rule.property());
        for (String target : related(tx, change.twinId(), rule.relationship(), rule.incoming())) {
            String key = target + "/" + rule.targetProperty();
            if (!done.add(key)) {
                continue;
            }
            JsonNode value = rule.aggregate() == MappingRules.Aggregate.COPY ? changed
                    : aggregate(tx, rule, target);
            if (value == null) {
                continue;
            }
            ArrayNode patch = Json.MAPPER.createArrayNode();
            patch.addObject().put("op", "add").put("path", "/" + rule.targetProperty()).set("value", value);
            try {
                twins.upsert(target, patch, change.traceparent());
            } catch (AdtException e) {
                // the rule does not fit this twin (its model has no such property, say): the change stands without it
                LOG.warn("propagation {} could not set {} of {}: {}", rule.id(), rule.targetProperty(), target,
                        e.getMessage());
            }
        }
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
            return null;
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
