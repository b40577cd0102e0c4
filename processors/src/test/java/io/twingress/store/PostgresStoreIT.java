package io.twingress.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class PostgresStoreIT extends StoreContract {

    private static EmbeddedPostgresServer server;

    @BeforeAll
    static void startServer() {
        server = EmbeddedPostgresServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected TwinStore openStore() {
        return new PostgresTwinStore(server.createDatabase(), EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.PASSWORD, 8);
    }
}
