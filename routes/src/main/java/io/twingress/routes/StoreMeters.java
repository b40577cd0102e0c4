package io.twingress.routes;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.CamelContext;

import io.twingress.store.StoreMetrics;

/**
 * The store's commits in Camel's Micrometer registry, per store ({@code twingress-sqlite},
 * {@code twingress-sqlite-history}, {@code twingress-postgresql}): {@code twingress_store_group_units} (write units per
 * commit: on SQLite, how well concurrent writes share one), {@code twingress_store_apply_seconds} and
 * {@code twingress_store_commit_seconds} (applying a group, and its commit with the sync).
 */
final class StoreMeters implements StoreMetrics {

    private record Meters(DistributionSummary units, Timer apply, Timer commit) {
    }

    private final CamelContext context;
    private final Map<String, Meters> byStore = new ConcurrentHashMap<>();

    StoreMeters(CamelContext context) {
        this.context = context;
    }

    @Override
    public void group(String store, int units, long applyNanos, long commitNanos) {
        Meters m = byStore.computeIfAbsent(store, this::meters);
        m.units().record(units);
        m.apply().record(applyNanos, TimeUnit.NANOSECONDS);
        m.commit().record(commitNanos, TimeUnit.NANOSECONDS);
    }

    private Meters meters(String store) {
        MeterRegistry registry = EgressMeters.registryOf(context);
        return new Meters(
                DistributionSummary.builder("twingress.store.group.units").tag("store", store)
                        .description("write units committed together").register(registry),
                Timer.builder("twingress.store.apply").tag("store", store)
                        .description("applying a group of write units, before its commit").register(registry),
                Timer.builder("twingress.store.commit").tag("store", store)
                        .description("committing a group of write units, its sync included").register(registry));
    }
}
