package io.twingress.bench;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import io.twingress.store.EmbeddedPostgresServer;

/**
 * A PostgreSQL 17 from Maven artifacts, durable or not. The embedded server starts with {@code synchronous_commit}
 * and {@code fsync} off, so a commit is acknowledged before anything reaches the disk: fine for tests, but a write
 * figure taken that way is not comparable with SQLite at {@code synchronous=FULL}. {@code durable} turns both back
 * on, as a production server runs.
 */
final class BenchPostgres implements AutoCloseable {

    private final EmbeddedPostgres durable;
    private final EmbeddedPostgresServer asTests;
    private final String url;

    private BenchPostgres(EmbeddedPostgres durable, EmbeddedPostgresServer asTests, String url) {
        this.durable = durable;
        this.asTests = asTests;
        this.url = url;
    }

    static BenchPostgres start(boolean durableCommits) throws IOException, SQLException {
        if (!durableCommits) {
            EmbeddedPostgresServer server = EmbeddedPostgresServer.start();
            return new BenchPostgres(null, server, server.createDatabase());
        }
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "on").setServerConfig("full_page_writes", "on").start();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE twingress_bench");
        }
        return new BenchPostgres(pg, null, pg.getJdbcUrl(EmbeddedPostgresServer.USER, "twingress_bench"));
    }

    String url() {
        return url;
    }

    /** The settings that decide what a commit costs, read back from the server rather than assumed. */
    String settings() {
        try (Connection c = java.sql.DriverManager.getConnection(url, EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.PASSWORD); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('server_version'), "
                     + "current_setting('synchronous_commit'), current_setting('fsync'), "
                     + "current_setting('wal_sync_method'), current_setting('shared_buffers'), "
                     + "current_setting('full_page_writes')")) {
            rs.next();
            return "PostgreSQL " + rs.getString(1) + ", synchronous_commit=" + rs.getString(2) + ", fsync="
                    + rs.getString(3) + ", wal_sync_method=" + rs.getString(4) + ", shared_buffers="
                    + rs.getString(5) + ", full_page_writes=" + rs.getString(6);
        } catch (SQLException e) {
            return "unknown settings: " + e.getMessage();
        }
    }

    @Override
    public void close() throws IOException {
        if (durable != null) {
            durable.close();
        } else {
            asTests.close();
        }
    }
}
