package io.twingress.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.apache.camel.main.Main;

import io.twingress.routes.TwingressMain;
import io.twingress.store.EmbeddedPostgresServer;

/** The real application, booted in this JVM on free ports and a private data directory, on the chosen store. */
final class InProcessTwingress implements AutoCloseable {

    private final Main main;
    private final int port;
    private final BenchPostgres postgres;

    private InProcessTwingress(Main main, int port, BenchPostgres postgres) {
        this.main = main;
        this.port = port;
        this.postgres = postgres;
    }

    /**
     * {@code store} is {@code sqlite} (the default configuration: synchronous=FULL), {@code postgresql}
     * (synchronous_commit=on) or {@code postgresql-async} (the embedded server's default, synchronous_commit=off).
     */
    static InProcessTwingress start(String store, Path dir) throws Exception {
        return start(store, dir, Map.of());
    }

    /** As {@link #start(String, Path)} with extra override properties, e.g. to open an existing store. */
    static InProcessTwingress start(String store, Path dir, Map<String, String> extra) throws Exception {
        Map<String, String> props = new HashMap<>();
        int port = freePort();
        props.put("camel.server.port", Integer.toString(port));
        props.put("camel.management.port", Integer.toString(freePort()));
        props.put("twingress.data.dir", dir.resolve("data").toString());
        props.put("twingress.routes.dir", dir.resolve("routes").toString());
        // every benchmark client sends from 127.0.0.1: the per-client rate limit would measure itself
        props.put("twingress.limits.clientRequestsPerSecond", "0");
        BenchPostgres postgres = null;
        if (store.startsWith("postgresql") && !extra.containsKey("twingress.store.postgresql.url")) {
            postgres = BenchPostgres.start(store.equals("postgresql"));
            System.out.println(store + ": " + postgres.settings());
            props.put("twingress.store.postgresql.url", postgres.url());
        }
        if (store.startsWith("postgresql")) {
            props.put("twingress.store.type", "postgresql");
            props.put("twingress.store.postgresql.user", EmbeddedPostgresServer.USER);
            props.put("twingress.store.postgresql.password", EmbeddedPostgresServer.PASSWORD);
        } else if (!store.equals("sqlite")) {
            throw new IllegalArgumentException("store must be sqlite, postgresql or postgresql-async: " + store);
        }
        props.putAll(extra);
        Main main = TwingressMain.create();
        props.forEach(main::addOverrideProperty);
        main.start();
        return new InProcessTwingress(main, port, postgres);
    }

    int port() {
        return port;
    }

    /** The management server's port: {@code /observe/metrics}, {@code /observe/health}. */
    int managementPort() {
        return Integer.parseInt(property("camel.management.port"));
    }

    Main main() {
        return main;
    }

    /** The SQLite file the application opened, or null on PostgreSQL. */
    Path sqliteFile() {
        return property("twingress.store.type").equals("sqlite") ? Path.of(property("twingress.store.sqlite.file"))
                : null;
    }

    String sqliteSynchronous() {
        return property("twingress.store.sqlite.synchronous");
    }

    /** The PostgreSQL database the application opened, or null on SQLite. */
    String postgresUrl() {
        return property("twingress.store.type").equals("postgresql") ? property("twingress.store.postgresql.url")
                : null;
    }

    private String property(String key) {
        return main.getCamelContext().resolvePropertyPlaceholders("{{" + key + "}}");
    }

    @Override
    public void close() throws Exception {
        main.stop();
        if (postgres != null) {
            postgres.close();
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
