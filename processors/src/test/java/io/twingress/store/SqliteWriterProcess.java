package io.twingress.store;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The victim of {@link SqliteDurabilityIT}: a separate JVM that writes twins one unit at a time and prints each
 * id only after {@link TwinStore#write} returned, i.e. after the store acknowledged it. It never stops on its own
 * before the test kills it; the bound only keeps a forgotten process from running for ever.
 */
public final class SqliteWriterProcess {

    private static final int MAX_WRITES = 100_000;
    private static final long MAX_MILLIS = 60_000;

    private SqliteWriterProcess() {
    }

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        PrintStream out = System.out;
        long deadline = System.currentTimeMillis() + MAX_MILLIS;
        try (SqliteTwinStore store = new SqliteTwinStore(file, "FULL")) {
            out.println("ready");
            out.flush();
            for (int i = 0; i < MAX_WRITES && System.currentTimeMillis() < deadline; i++) {
                String id = "durable-" + i;
                store.write(tx -> {
                    tx.insertTwin(new StoredTwin(id, "dtmi:test:Durable;1", "W/\"1\"", "{\"$dtId\":\"" + id + "\"}"));
                    return null;
                });
                out.println(id);
                out.flush();
            }
        }
    }
}
