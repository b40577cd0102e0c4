package io.twingress.twin;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

import io.twingress.store.StoredTwin;

/**
 * Twins as this instance last committed or read them, by id, from which a PATCH is worked out ahead of its write unit
 * ({@link Speculation}). Only a hint: the unit writes the change only if the twin's stored etag is still the one kept
 * here, so a twin that another instance, the ingress pipeline or a propagation rule changed since costs the PATCH its
 * head start, never an update. Bounded: past {@link #MAX_TWINS} another twin is dropped for each new one, and a twin
 * whose body is longer than {@link #MAX_BODY} chars is not kept.
 */
final class RecentTwins {

    static final int MAX_TWINS = 4096;
    static final int MAX_BODY = 8192;

    private final ConcurrentHashMap<String, StoredTwin> twins = new ConcurrentHashMap<>();

    StoredTwin get(String id) {
        return twins.get(id);
    }

    void keep(StoredTwin twin) {
        if (twin.body().length() > MAX_BODY) {
            twins.remove(twin.id());
            return;
        }
        if (twins.size() >= MAX_TWINS && !twins.containsKey(twin.id())) {
            Iterator<String> any = twins.keySet().iterator();
            if (any.hasNext()) {
                any.next();
                any.remove();
            }
        }
        twins.put(twin.id(), twin);
    }

    void forget(String id) {
        twins.remove(id);
    }

    int size() {
        return twins.size();
    }
}
