package io.twingress.model;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.AdtError;
import io.twingress.AdtException;
import io.twingress.Json;
import io.twingress.store.StoreTx;
import io.twingress.store.StoredModel;
import io.twingress.store.TwinStore;

/**
 * The model catalogue: uploads, decommissions and deletes models in the store and keeps their resolved form in
 * memory, so that validating a twin never parses DTDL. The store stays the truth. Every change to the model set
 * moves a version kept in the store (in the same transaction), so each use checks that version with one read and
 * reloads when another instance sharing the store changed the models. Changes take the store's models lock first,
 * so they run one at a time across instances and each checks its rules against exactly what the last one committed:
 * a delete and an upload that extends the deleted model cannot both succeed.
 */
public final class ModelService {

    public static final int MAX_MODELS_PER_UPLOAD = 250;
    public static final int MAX_MODELS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(ModelService.class);

    /** A stored model with its resolved form. */
    public record Entry(StoredModel stored, InterfaceModel model) {
    }

    private final TwinStore store;
    private final DtdlParser parser = new DtdlParser();
    /** Replaced whole, and only by a newer version, so a slow thread cannot put back an older catalogue. */
    private final AtomicReference<ModelCatalogue> catalogue = new AtomicReference<>(ModelCatalogue.EMPTY);
    /** The catalogue this thread's lookups use inside {@link #withLastKnown}, else null. */
    private final ThreadLocal<ModelCatalogue> lastKnown = new ThreadLocal<>();
    /** One reload at a time: threads that notice the same new version wait for one parse instead of each parsing. */
    private final Object reloading = new Object();

    public ModelService(TwinStore store) {
        this.store = store;
        catalogue();
    }

    /** The model, or null if no such model is stored. */
    public Entry find(String id) {
        ModelCatalogue pinned = lastKnown.get();
        return (pinned != null ? pinned : catalogue()).entry(id);
    }

    /**
     * Runs {@code work} with the catalogue as this instance last knew it: its lookups ({@link #find}) do not read the
     * store's model-set version. {@code work} is given the version that catalogue reflects, which whatever it worked
     * out must be checked against when it is written (see {@code Speculation}).
     */
    public <T> T withLastKnown(LongFunction<T> work) {
        ModelCatalogue known = catalogue.get();
        lastKnown.set(known);
        try {
            return work.apply(known.version());
        } finally {
            lastKnown.remove();
        }
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
        List<Entry> created = new ArrayList<>();
        ModelCatalogue next = store.write(tx -> {
            created.clear();
            long version = tx.lockModels();
            ModelCatalogue base = committed(tx, version - 1);
            for (JsonNode model : batch) {
                String id = model.path("@id").asText(null);
                if (id != null && base.entry(id) != null) {
                    throw AdtError.MODEL_ALREADY_EXISTS.with("A model with id " + id
                            + " already exists. Models are immutable: upload a new version or delete this one first.");
                }
            }
            if (base.size() + batch.size() > MAX_MODELS) {
                throw AdtError.LIMIT_EXCEEDED.with("An instance holds at most " + MAX_MODELS + " models.");
            }
            List<InterfaceModel> parsed;
            try {
                parsed = parser.parse(batch, base::model, base::owner);
            } catch (DtdlException.UnsupportedVersion e) {
                throw AdtError.MODEL_VERSION_NOT_SUPPORTED.with(e.getMessage());
            } catch (DtdlException e) {
                throw AdtError.DTDL_PARSER_ERROR.with(e.getMessage());
            }
            Instant now = Instant.now();
            for (InterfaceModel model : parsed) {
                StoredModel stored = new StoredModel(model.id(), Json.write(model.definition()), now, false);
                tx.insertModel(stored);
                created.add(new Entry(stored, model));
            }
            return base.plus(version, created);
        });
        publish(next);
        return List.copyOf(created);
    }

    /** Every stored model in upload order; with {@code dependenciesFor}, only those and what they need. */
    public List<Entry> list(Collection<String> dependenciesFor) {
        ModelCatalogue models = catalogue();
        if (dependenciesFor == null || dependenciesFor.isEmpty()) {
            return List.copyOf(models.entries());
        }
        Set<String> wanted = new HashSet<>();
        Deque<String> pending = new ArrayDeque<>();
        for (String id : dependenciesFor) {
            if (models.entry(id) == null) {
                throw notFound(id);
            }
            pending.add(id);
        }
        while (!pending.isEmpty()) {
            String id = pending.pop();
            Entry entry = models.entry(id);
            if (entry != null && wanted.add(id)) {
                pending.addAll(entry.model().references());
            }
        }
        return models.entries().stream().filter(e -> wanted.contains(e.model().id())).toList();
    }

    /** Decommissioning is one-way: ADT has no way back. */
    public void decommission(String id) {
        ModelCatalogue next = store.write(tx -> {
            long version = tx.lockModels();
            ModelCatalogue base = committed(tx, version - 1);
            Entry entry = base.entry(id);
            if (entry == null) {
                throw notFound(id);
            }
            tx.updateModelDecommissioned(id, true);
            StoredModel row = entry.stored();
            return base.with(version, new StoredModel(row.id(), row.definition(), row.uploadTime(), true));
        });
        publish(next);
    }

    /** Refused while another model extends it or uses it as a component; twins of it stay, read-only. */
    public void delete(String id) {
        ModelCatalogue next = store.write(tx -> {
            long version = tx.lockModels();
            ModelCatalogue base = committed(tx, version - 1);
            if (base.entry(id) == null) {
                throw notFound(id);
            }
            List<String> dependents = base.dependents(id);
            if (!dependents.isEmpty()) {
                throw AdtError.MODEL_REFERENCES_NOT_DELETED.with("Model " + id
                        + " cannot be deleted because these models reference it: " + String.join(", ", dependents)
                        + ". Delete them first.");
            }
            tx.deleteModel(id);
            return base.without(version, id);
        });
        publish(next);
    }

    /** Every model id that is {@code id} or derives from it: what {@code IS_OF_MODEL(id)} matches. */
    public Set<String> modelAndDerived(String id) {
        return catalogue().modelAndDerived(id);
    }

    private static AdtException notFound(String id) {
        return AdtError.MODEL_NOT_FOUND.with("There is no model with id " + id + ".");
    }

    /** The catalogue as current as the store: one read of the model-set version, and a reload when it moved. */
    private ModelCatalogue catalogue() {
        return store.read(tx -> {
            // the version is read before the models: a catalogue may then be labelled older than what it holds
            // (and be reloaded once more), never newer
            long version = tx.modelsVersion();
            ModelCatalogue known = catalogue.get();
            return known.version() >= version ? known : reload(tx, version);
        });
    }

    /** Inside a unit holding the models lock: the catalogue exactly as the previous change committed it. */
    private ModelCatalogue committed(StoreTx tx, long version) {
        ModelCatalogue known = catalogue.get();
        return known.version() == version ? known : reload(tx, version);
    }

    private ModelCatalogue reload(StoreTx tx, long version) {
        synchronized (reloading) {
            ModelCatalogue known = catalogue.get();
            if (known.version() >= version) {
                return known;
            }
            ModelCatalogue loaded = ModelCatalogue.of(version, resolve(tx.models(), known));
            // what the unit read is committed (a unit changing models reloads before it changes anything)
            publish(loaded);
            return loaded;
        }
    }

    private void publish(ModelCatalogue next) {
        catalogue.accumulateAndGet(next, (current, offered) -> offered.version() > current.version() ? offered : current);
    }

    /**
     * Resolved entries for the stored rows, in their order. A model whose definition and references are unchanged
     * keeps its resolved form; the others are parsed as stored models, under the rules they were uploaded with.
     */
    private List<Entry> resolve(List<StoredModel> rows, ModelCatalogue known) {
        Map<String, StoredModel> byId = new LinkedHashMap<>();
        rows.forEach(row -> byId.put(row.id(), row));
        Map<String, Boolean> reusable = new HashMap<>();
        Map<String, InterfaceModel> resolved = new HashMap<>();
        List<StoredModel> fresh = new ArrayList<>();
        for (StoredModel row : rows) {
            if (reusable(row.id(), byId, known, reusable)) {
                resolved.put(row.id(), known.model(row.id()));
            } else {
                fresh.add(row);
            }
        }
        parseStored(fresh, resolved);
        List<Entry> entries = new ArrayList<>(rows.size());
        for (StoredModel row : rows) {
            InterfaceModel model = resolved.get(row.id());
            if (model != null) {
                entries.add(new Entry(row, model));
            }
        }
        return entries;
    }

    /** True if the known resolution still holds: same definition, and the same for everything it references. */
    private static boolean reusable(String id, Map<String, StoredModel> rows, ModelCatalogue known,
            Map<String, Boolean> memo) {
        Boolean done = memo.get(id);
        if (done != null) {
            return done;
        }
        Entry old = known.entry(id);
        StoredModel row = rows.get(id);
        // a model deleted and uploaded again under the same id may differ, and so would everything built on it
        boolean ok = old != null && row != null && old.stored().definition().equals(row.definition());
        if (ok) {
            for (String reference : old.model().references()) {
                ok = ok && reusable(reference, rows, known, memo);
            }
        }
        memo.put(id, ok);
        return ok;
    }

    /**
     * Parses stored rows into {@code resolved}. They were valid when uploaded, so all at once is the rule; a model
     * that no longer resolves (its base went missing through a path that bypassed the models lock) is left out and
     * logged rather than taking every other model down with it.
     */
    private void parseStored(List<StoredModel> rows, Map<String, InterfaceModel> resolved) {
        if (rows.isEmpty()) {
            return;
        }
        List<JsonNode> definitions = rows.stream().map(m -> Json.parse(m.definition())).toList();
        try {
            parser.reload(definitions, resolved::get).forEach(m -> resolved.put(m.id(), m));
            return;
        } catch (DtdlException e) {
            LOG.warn("stored models do not resolve together ({}); resolving them one by one", e.getMessage());
        }
        // one by one, in rounds, so that a model whose base comes later in the list still resolves
        List<JsonNode> pending = new ArrayList<>(definitions);
        Map<String, String> problems = new HashMap<>();
        boolean progress = true;
        while (!pending.isEmpty() && progress) {
            progress = false;
            for (Iterator<JsonNode> it = pending.iterator(); it.hasNext(); ) {
                JsonNode definition = it.next();
                try {
                    InterfaceModel model = parser.reload(List.of(definition), resolved::get).get(0);
                    resolved.put(model.id(), model);
                    it.remove();
                    progress = true;
                } catch (DtdlException e) {
                    problems.put(definition.path("@id").asText(), e.getMessage());
                }
            }
        }
        for (JsonNode definition : pending) {
            String id = definition.path("@id").asText();
            LOG.error("stored model {} is left out of the catalogue: {}", id, problems.get(id));
        }
    }
}
