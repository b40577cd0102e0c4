package io.twingress.store;

/**
 * The one PostgreSQL of a test run: started by the first test that asks for it, shared by every test class in the JVM
 * (failsafe reuses one fork), stopped when the JVM exits. Starting a server costs a few seconds; a database costs a
 * few milliseconds, so isolation comes from {@link #createDatabase()}, not from servers.
 */
public final class SharedPostgres {

    public static final String USER = EmbeddedPostgresServer.USER;
    public static final String PASSWORD = EmbeddedPostgresServer.PASSWORD;

    private static EmbeddedPostgresServer server;
    private static RuntimeException startFailure;

    private SharedPostgres() {
    }

    /** The shared server, started on first use. A failed start is remembered so later tests fail fast with its cause. */
    public static synchronized EmbeddedPostgresServer server() {
        if (startFailure != null) {
            throw new IllegalStateException("the shared PostgreSQL failed to start earlier in this JVM", startFailure);
        }
        if (server == null) {
            try {
                long begin = System.nanoTime();
                EmbeddedPostgresServer started = EmbeddedPostgresServer.start();
                Runtime.getRuntime().addShutdownHook(new Thread(started::close, "shared-postgres-stop"));
                server = started;
                System.out.printf("Shared PostgreSQL (embedded) started in %d ms%n",
                        (System.nanoTime() - begin) / 1_000_000);
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return server;
    }

    /** A fresh, empty database on the shared server; returns its JDBC url (user {@link #USER}, password {@link #PASSWORD}). */
    public static String createDatabase() {
        return server().createDatabase();
    }
}
