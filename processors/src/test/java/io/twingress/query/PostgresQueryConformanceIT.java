package io.twingress.query;

import io.twingress.store.PostgresTwinStore;
import io.twingress.store.SharedPostgres;
import io.twingress.store.TwinStore;

class PostgresQueryConformanceIT extends StoreQueryConformance {

    @Override
    protected TwinStore newStore() {
        return new PostgresTwinStore(SharedPostgres.createDatabase(), SharedPostgres.USER, SharedPostgres.PASSWORD, 4);
    }
}
