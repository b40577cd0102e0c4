package io.twingress.model;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.twingress.model.ModelService.Entry;
import io.twingress.store.StoredModel;

/**
 * One immutable view of the stored models, labelled with the model-set version it reflects (see
 * {@link io.twingress.store.StoreTx#lockModels}). {@link ModelService} replaces its catalogue whole; a change
 * derives a new catalogue from the one its unit verified as current, and nothing edits a published one.
 */
final class ModelCatalogue {

    /** Older than any store, so the first look at a store always loads. */
    static final ModelCatalogue EMPTY = new ModelCatalogue(-1, Map.of(), Map.of());

    private final long version;
    /** In upload order. */
    private final Map<String, Entry> entries;
    /** Every @id the stored models declare, their own and their elements', to the model that declares it. */
    private final Map<String, String> owners;
    /** Derived-model sets asked for so far; only stored ids are kept, so its size is bounded by the models. */
    private final Map<String, Set<String>> families = new ConcurrentHashMap<>();

    private ModelCatalogue(long version, Map<String, Entry> entries, Map<String, String> owners) {
        this.version = version;
        this.entries = entries;
        this.owners = owners;
    }

    /** @param entries in upload order */
    static ModelCatalogue of(long version, Collection<Entry> entries) {
        Map<String, Entry> byId = new LinkedHashMap<>();
        Map<String, String> owners = new HashMap<>();
        for (Entry e : entries) {
            byId.put(e.model().id(), e);
            addOwner(owners, e);
        }
        return new ModelCatalogue(version, Collections.unmodifiableMap(byId), Collections.unmodifiableMap(owners));
    }

    private static void addOwner(Map<String, String> owners, Entry e) {
        String id = e.model().id();
        owners.putIfAbsent(id, id);
        DtdlParser.elementIds(e.model().definition()).forEach(elementId -> owners.putIfAbsent(elementId, id));
    }

    long version() {
        return version;
    }

    Entry entry(String id) {
        return entries.get(id);
    }

    /** The resolved model, or null; the parser's view of what is stored. */
    InterfaceModel model(String id) {
        Entry e = entries.get(id);
        return e == null ? null : e.model();
    }

    /** The model that declares this @id (itself or one of its elements), or null when no stored model uses it. */
    String owner(String id) {
        return owners.get(id);
    }

    int size() {
        return entries.size();
    }

    /** In upload order. */
    Collection<Entry> entries() {
        return entries.values();
    }

    /** The models that cannot exist without this one, sorted. */
    List<String> dependents(String id) {
        return entries.values().stream()
                .filter(e -> e.model().references().contains(id))
                .map(e -> e.model().id())
                .sorted()
                .toList();
    }

    /** Every stored model id that is {@code id} or derives from it. */
    Set<String> modelAndDerived(String id) {
        if (!entries.containsKey(id)) {
            return Set.of();
        }
        return families.computeIfAbsent(id, base -> {
            Set<String> ids = new LinkedHashSet<>();
            for (Entry e : entries.values()) {
                if (e.model().isA(base)) {
                    ids.add(e.model().id());
                }
            }
            return Collections.unmodifiableSet(ids);
        });
    }

    ModelCatalogue plus(long newVersion, List<Entry> added) {
        Map<String, Entry> byId = new LinkedHashMap<>(entries);
        Map<String, String> newOwners = new HashMap<>(owners);
        for (Entry e : added) {
            byId.put(e.model().id(), e);
            addOwner(newOwners, e);
        }
        return new ModelCatalogue(newVersion, Collections.unmodifiableMap(byId),
                Collections.unmodifiableMap(newOwners));
    }

    ModelCatalogue without(long newVersion, String id) {
        Map<String, Entry> byId = new LinkedHashMap<>(entries);
        byId.remove(id);
        Map<String, String> newOwners = new HashMap<>(owners);
        newOwners.values().removeIf(id::equals);
        return new ModelCatalogue(newVersion, Collections.unmodifiableMap(byId),
                Collections.unmodifiableMap(newOwners));
    }

    /** The same models with this one's row replaced, for example by its decommissioned form. */
    ModelCatalogue with(long newVersion, StoredModel row) {
        Map<String, Entry> byId = new LinkedHashMap<>(entries);
        byId.computeIfPresent(row.id(), (k, e) -> new Entry(row, e.model()));
        return new ModelCatalogue(newVersion, Collections.unmodifiableMap(byId), owners);
    }
}
