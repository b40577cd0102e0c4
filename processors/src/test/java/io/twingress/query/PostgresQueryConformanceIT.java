package io.twingress.query;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import io.twingress.store.EmbeddedPostgresServer;
import io.twingress.store.PostgresTwinStore;
import io.twingress.store.TwinStore;

class PostgresQueryConformanceIT extends StoreQueryConformance {

    private static EmbeddedPostgresServer postgres;

    @BeforeAll
    static void startPostgres() {
        postgres = EmbeddedPostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() {
        postgres.close();
    }

    @Override
    protected TwinStore newStore() {
        return new PostgresTwinStore(postgres.createDatabase(), EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.PASSWORD, 4);
    }
}
