package io.twingress.model;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;

import io.twingress.Json;
import io.twingress.AdtError;
import io.twingress.AdtException;
import io.twingress.store.StoreTx;
import io.twingress.store.StoredModel;
import io.twingress.store.TwinStore;

/**
 * The model catalogue: uploads, decommissions and deletes models in the store and keeps their resolved form in
 * memory, so that validating a twin never parses DTDL. The store stays the truth: a model this instance has not
 * seen (another instance uploaded it) is loaded on first use.
 */
public final class ModelService {

    public static final int MAX_MODELS_PER_UPLOAD = 250;
    public static final int MAX_MODELS = 10_000;

    /** A stored model with its resolved form. */
    public record Entry(StoredModel stored, InterfaceModel model) {
    }

    private final TwinStore store;
    private final DtdlParser parser = new DtdlParser();
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    public ModelService(TwinStore store) {
        this.store = store;
        store.read(tx -> {
            sync(tx);
            return null;
        });
    }

    /** The model, or null if no such model is stored. */
    public Entry find(String id) {
        Entry entry = cache.get(id);
        if (entry == null) {
            // an unknown id costs one lookup; only a model stored by another instance triggers a full sync
            entry = store.read(tx -> {
                if (tx.model(id) == null) {
                    return null;
                }
                sync(tx);
                return cache.get(id);
            });
        }
        return entry;
    }

    public Entry get(String id) {
        Entry entry = find(id);
        if (entry == null) {
            throw notFound(id);
        }
        return entry;
    }

    /** Validates and stores a batch, all or nothing. */
    public List<Entry> upload(List<JsonNode> batch) {
        if (batch.isEmpty()) {
            throw AdtError.INVALID_ARGUMENT.with("The request body must be a non-empty array of models.");
        }
        if (batch.size() > MAX_MODELS_PER_UPLOAD) {
            throw AdtError.LIMIT_EXCEEDED.with("At most " + MAX_MODELS_PER_UPLOAD
                    + " models can be uploaded at once; this request has " + batch.size() + ".");
        }
        List<Entry> created = store.write(tx -> {
            sync(tx);
            for (JsonNode model : batch) {
                String id = model.path("@id").asText(null);
                if (id != null && (cache.containsKey(id) || tx.model(id) != null)) {
                    throw AdtError.MODEL_ALREADY_EXISTS.with("A model with id " + id
                            + " already exists. Models are immutable: upload a new version or delete this one first.");
                }
            }
            if (cache.size() + batch.size() > MAX_MODELS) {
                throw AdtError.LIMIT_EXCEEDED.with("An instance holds at most " + MAX_MODELS + " models.");
            }
            List<InterfaceModel> parsed;
            try {
                parsed = parser.parse(batch, this::resolvedOrNull);
            } catch (DtdlException e) {
                throw AdtError.DTDL_PARSER_ERROR.with(e.getMessage());
            }
            Instant now = Instant.now();
            List<Entry> entries = new ArrayList<>();
            for (InterfaceModel model : parsed) {
                StoredModel stored = new StoredModel(model.id(), Json.write(model.definition()), now, false);
                tx.insertModel(stored);
                entries.add(new Entry(stored, model));
            }
            return entries;
        });
        created.forEach(e -> cache.put(e.model().id(), e));
        return created;
    }

    /** Every stored model in upload order; with {@code dependenciesFor}, only those and what they need. */
    public List<Entry> list(Collection<String> dependenciesFor) {
        List<StoredModel> all = store.read(tx -> {
            sync(tx);
            return tx.models();
        });
        if (dependenciesFor == null || dependenciesFor.isEmpty()) {
            return all.stream().map(m -> cache.get(m.id())).filter(e -> e != null).toList();
        }
        Set<String> wanted = new HashSet<>();
        Deque<String> pending = new ArrayDeque<>();
        for (String id : dependenciesFor) {
            pending.add(get(id).model().id());
        }
        while (!pending.isEmpty()) {
            String id = pending.pop();
            if (wanted.add(id)) {
                pending.addAll(get(id).model().references());
            }
        }
        return all.stream().filter(m -> wanted.contains(m.id())).map(m -> cache.get(m.id())).toList();
    }

    /** Decommissioning is one-way: ADT has no way back. */
    public void decommission(String id) {
        store.write(tx -> {
            // the row, not the cache, says whether the model still exists: another instance may have deleted it
            if (tx.model(id) == null) {
                cache.remove(id);
                throw notFound(id);
            }
            tx.updateModelDecommissioned(id, true);
            return null;
        });
        cache.computeIfPresent(id, (k, e) -> new Entry(new StoredModel(e.stored().id(), e.stored().definition(),
                e.stored().uploadTime(), true), e.model()));
    }

    /** Refused while another model extends it or uses it as a component; twins of it stay, read-only. */
    public void delete(String id) {
        store.write(tx -> {
            sync(tx);
            if (!cache.containsKey(id)) {
                throw notFound(id);
            }
            List<String> dependents = cache.values().stream()
                    .filter(e -> e.model().references().contains(id))
                    .map(e -> e.model().id())
                    .sorted()
                    .toList();
            if (!dependents.isEmpty()) {
                throw AdtError.MODEL_REFERENCES_NOT_DELETED.with("Model " + id
                        + " cannot be deleted because these models reference it: " + String.join(", ", dependents)
                        + ". Delete them first.");
            }
            tx.deleteModel(id);
            return null;
        });
        cache.remove(id);
    }

    /** Every model id that is {@code id} or derives from it. */
    public Set<String> modelAndDerived(String id) {
        Set<String> ids = new LinkedHashSet<>();
        for (Entry e : cache.values()) {
            if (e.model().isA(id)) {
                ids.add(e.model().id());
            }
        }
        return ids;
    }

    private static AdtException notFound(String id) {
        return AdtError.MODEL_NOT_FOUND.with("There is no model with id " + id + ".");
    }

    private InterfaceModel resolvedOrNull(String id) {
        Entry e = cache.get(id);
        return e == null ? null : e.model();
    }

    /** Brings the cache in line with the store: drops deleted models, resolves ones uploaded elsewhere. */
    private void sync(StoreTx tx) {
        List<StoredModel> stored = tx.models();
        Set<String> ids = new HashSet<>();
        List<StoredModel> missing = new ArrayList<>();
        for (StoredModel m : stored) {
            ids.add(m.id());
            Entry cached = cache.get(m.id());
            if (cached == null) {
                missing.add(m);
            } else if (cached.stored().decommissioned() != m.decommissioned()) {
                cache.put(m.id(), new Entry(m, cached.model()));
            }
        }
        cache.keySet().retainAll(ids);
        if (!missing.isEmpty()) {
            List<JsonNode> definitions = missing.stream().map(m -> Json.parse(m.definition())).toList();
            List<InterfaceModel> parsed = parser.parse(definitions, this::resolvedOrNull);
            for (int i = 0; i < parsed.size(); i++) {
                cache.put(parsed.get(i).id(), new Entry(missing.get(i), parsed.get(i)));
            }
        }
    }
}
