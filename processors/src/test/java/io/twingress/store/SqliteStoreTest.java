package io.twingress.store;

import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest extends StoreContract {

    @TempDir
    Path dir;

    private int stores;

    @Override
    protected TwinStore openStore() {
        // FULL is the durable setting users are promised; the contract should hold under it
        return new SqliteTwinStore(dir.resolve("twins-" + (++stores) + ".db"), "FULL");
    }
}
