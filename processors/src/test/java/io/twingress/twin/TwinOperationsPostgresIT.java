package io.twingress.twin;

import java.time.Clock;

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
}
