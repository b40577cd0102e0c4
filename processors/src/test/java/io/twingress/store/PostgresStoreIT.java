package io.twingress.store;

class PostgresStoreIT extends StoreContract {

    @Override
    protected TwinStore openStore() {
        return new PostgresTwinStore(SharedPostgres.createDatabase(), SharedPostgres.USER, SharedPostgres.PASSWORD, 8);
    }
}
