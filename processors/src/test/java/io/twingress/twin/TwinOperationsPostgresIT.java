package io.twingress.twin;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.twingress.model.TestModels.ROOM;
import static io.twingress.model.TestModels.json;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.twingress.model.ModelService;
import io.twingress.model.TestModels;
import io.twingress.store.PostgresTwinStore;
import io.twingress.store.SharedPostgres;

/**
 * {@link TwinOperations} on PostgreSQL, where write units run in parallel and only the twin's row lock keeps two of
 * them from passing the same If-Match. On SQLite ({@link TwinOperationsTest}) writers queue for the whole database,
 * so a service that read the twin without the lock would pass there.
 */
class TwinOperationsPostgresIT {

    @Test
    @Timeout(180)
    void concurrentIncrementsWithIfMatchLoseNoUpdate() throws Exception {
        try (PostgresTwinStore store = new PostgresTwinStore(SharedPostgres.createDatabase(), SharedPostgres.USER,
                SharedPostgres.PASSWORD, 8)) {
            ModelService models = new ModelService(store);
            models.upload(TestModels.all());
            TwinOperations twins = new TwinOperations(store, new TwinModels(models), Clock.systemUTC());
            twins.put("r1", json("{'$metadata':{'$model':'" + ROOM + "'},'comp1':{},'count':0}"), null);

            ConcurrentIncrements.Outcome outcome = ConcurrentIncrements.run(twins, "r1", "count", 8, 25);

            assertThat(twins.get("r1").get("count").asInt()).as("no update was lost (%d retries after a 412)",
                    outcome.conflicts()).isEqualTo(8 * 25);
            assertThat(outcome.etags()).hasSize(8 * 25).doesNotHaveDuplicates();
        }
    }

    /**
     * Two instances on one database, each working patches out ahead from the twin as it last wrote or read it: each
     * one's copy keeps going stale as the other writes, and the write units must notice it every time.
     */
    @Test
    @Timeout(180)
    void twoInstancesIncrementingOneTwinLoseNoUpdate() throws Exception {
        try (PostgresTwinStore store = new PostgresTwinStore(SharedPostgres.createDatabase(), SharedPostgres.USER,
                SharedPostgres.PASSWORD, 8)) {
            new ModelService(store).upload(TestModels.all());
            TwinOperations first = new TwinOperations(store, new TwinModels(new ModelService(store)),
                    Clock.systemUTC(), TestChangeLogs.withEvents(null));
            TwinOperations second = new TwinOperations(store, new TwinModels(new ModelService(store)),
                    Clock.systemUTC(), TestChangeLogs.withEvents(null));
            first.put("r1", json("{'$metadata':{'$model':'" + ROOM + "'},'comp1':{},'count':0}"), null);

            ExecutorService instances = Executors.newFixedThreadPool(2);
            try {
                Future<ConcurrentIncrements.Outcome> a = instances.submit(() -> ConcurrentIncrements.run(first, "r1",
                        "count", 4, 25));
                Future<ConcurrentIncrements.Outcome> b = instances.submit(() -> ConcurrentIncrements.run(second, "r1",
                        "count", 4, 25));
                List<String> etags = new ArrayList<>(a.get(150, TimeUnit.SECONDS).etags());
                etags.addAll(b.get(150, TimeUnit.SECONDS).etags());

                assertThat(second.get("r1").get("count").asInt()).isEqualTo(2 * 4 * 25);
                assertThat(etags).hasSize(2 * 4 * 25).doesNotHaveDuplicates();
                // the twin's creation, then one event per patch written, and none for work that was done again
                assertThat(TestChangeLogs.events(store)).isEqualTo(1 + 2 * 4 * 25);
            } finally {
                instances.shutdownNow();
            }
        }
    }
}
