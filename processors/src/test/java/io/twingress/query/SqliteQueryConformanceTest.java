package io.twingress.query;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;

import io.twingress.store.SqliteTwinStore;
import io.twingress.store.TwinStore;

class SqliteQueryConformanceTest extends StoreQueryConformance {

    @TempDir
    Path dir;

    @Override
    protected TwinStore newStore() {
        try {
            return new SqliteTwinStore(Files.createTempFile(dir, "query", ".db"), "NORMAL");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
