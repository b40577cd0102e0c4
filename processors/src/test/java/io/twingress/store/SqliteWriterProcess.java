package io.twingress.store;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The victim of {@link SqliteDurabilityIT}: a separate JVM whose writers (the second argument, default one) each
 * write twins one unit at a time and print each id only after {@link TwinStore#write} returned, i.e. after the
 * store acknowledged it. Concurrent writers commit in groups. It never stops on its own before the test kills it;
 * the bound only keeps a forgotten process from running for ever.
 */
public final class SqliteWriterProcess {

    private static final int MAX_WRITES = 100_000;
    private static final long MAX_MILLIS = 60_000;

    private SqliteWriterProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path file = Path.of(args[0]);
        int writers = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        PrintStream out = System.out;
        long deadline = System.currentTimeMillis() + MAX_MILLIS;
        try (SqliteTwinStore store = new SqliteTwinStore(file, "FULL")) {
            out.println("ready");
            out.flush();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String prefix = "durable-" + w + "-";
                Thread thread = new Thread(() -> {
                    for (int i = 0; i < MAX_WRITES / writers && System.currentTimeMillis() < deadline; i++) {
                        String id = prefix + i;
                        store.write(tx -> {
                            tx.insertTwin(new StoredTwin(id, "dtmi:test:Durable;1", "W/\"1\"",
                                    "{\"$dtId\":\"" + id + "\"}"));
                            return null;
                        });
                        // println is one synchronized write: lines of concurrent writers never interleave
                        out.println(id);
                        out.flush();
                    }
                });
                thread.start();
                threads.add(thread);
            }
            for (Thread thread : threads) {
                thread.join();
            }
        }
    }
}
