package io.twingress.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

import io.twingress.store.EmbeddedPostgresServer;
import io.twingress.store.SqliteTwinStore;

/**
 * PatchThroughput's same-run store reference: what the store alone costs for a patch, as raw JDBC on the very
 * database the application writes to. A copy of the application's twin rows ({@code bench_reference}, same
 * columns, the same JSON bodies) gets a read-modify-write per commit: read the row (with {@code FOR UPDATE} on
 * PostgreSQL), replace the Temperature value in the body text, write body and etag back, commit. SQLite runs it as
 * the application does (one writer connection, WAL, the same {@code synchronous}, behind a fair lock); PostgreSQL
 * with one connection per client on the same server and its settings. Each commit is its own unit, with
 * auto-commit turned off and on around it as the application's store does. No JSON parsing, no validation, no HTTP:
 * PATCH/s divided by this is the share of the store's capacity the application delivers.
 */
final class JdbcPatchReference implements AutoCloseable {

    private final String url;
    private final boolean sqlite;
    private final Connection sqliteWriter;
    private final ReentrantLock sqliteLock = new ReentrantLock(true);

    private JdbcPatchReference(String url, boolean sqlite, Connection sqliteWriter) {
        this.url = url;
        this.sqlite = sqlite;
        this.sqliteWriter = sqliteWriter;
    }

    /** Copies the twins table of the application's store into {@code bench_reference}. */
    static JdbcPatchReference open(InProcessTwingress app) throws SQLException {
        boolean sqlite = app.sqliteFile() != null;
        String url = sqlite ? "jdbc:sqlite:" + app.sqliteFile().toAbsolutePath() : app.postgresUrl();
        Connection writer = sqlite ? SqliteTwinStore.openWriter(app.sqliteFile(), app.sqliteSynchronous()) : null;
        JdbcPatchReference ref = new JdbcPatchReference(url, sqlite, writer);
        Connection setup = sqlite ? writer : ref.postgres();
        try (Statement s = setup.createStatement()) {
            setup.setAutoCommit(false);
            s.execute("CREATE TABLE bench_reference (id TEXT NOT NULL PRIMARY KEY, model_id TEXT NOT NULL,"
                    + " etag TEXT NOT NULL, body TEXT NOT NULL)");
            s.execute("INSERT INTO bench_reference SELECT id, model_id, etag, body FROM twins");
            setup.commit();
            setup.setAutoCommit(true);
        } finally {
            if (!sqlite) {
                setup.close();
            }
        }
        return ref;
    }

    private Connection postgres() throws SQLException {
        return DriverManager.getConnection(url, EmbeddedPostgresServer.USER, EmbeddedPostgresServer.PASSWORD);
    }

    /** A client that cycles over {@code ids} as the PATCH client with the same index does. */
    ClosedLoop.Client client(List<String> ids) throws SQLException {
        Connection connection = sqlite ? sqliteWriter : postgres();
        String select = "SELECT id, model_id, etag, body FROM bench_reference WHERE id = ?" + (sqlite ? ""
                : " FOR UPDATE");
        PreparedStatement read = connection.prepareStatement(select);
        PreparedStatement write = connection.prepareStatement(
                "UPDATE bench_reference SET etag = ?, body = ? WHERE id = ?");
        return new ClosedLoop.Client() {
            @Override
            public String call(long n) throws Exception {
                String id = ids.get((int) (n % ids.size()));
                if (sqlite) {
                    sqliteLock.lock();
                }
                try {
                    readModifyWrite(connection, read, write, id, 15 + (n % 150) / 10.0);
                    return null;
                } catch (SQLException e) {
                    connection.rollback();
                    connection.setAutoCommit(true);
                    return e.toString();
                } finally {
                    if (sqlite) {
                        sqliteLock.unlock();
                    }
                }
            }

            @Override
            public void close() throws SQLException {
                read.close();
                write.close();
                if (!sqlite) {
                    connection.close();
                }
            }
        };
    }

    private static void readModifyWrite(Connection c, PreparedStatement read, PreparedStatement write, String id,
            double temperature) throws SQLException {
        // as JdbcTwinStore does: a unit turns auto-commit off, and back on after its commit, because sqlite-jdbc
        // begins the next (IMMEDIATE) transaction as soon as one commits and would hold the write lock meanwhile
        c.setAutoCommit(false);
        String body;
        read.setString(1, id);
        try (ResultSet rs = read.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("no row " + id);
            }
            rs.getString(2);
            rs.getString(3);
            body = rs.getString(4);
        }
        write.setString(1, "W/\"" + UUID.randomUUID() + "\"");
        write.setString(2, replaceTemperature(body, temperature));
        write.setString(3, id);
        if (write.executeUpdate() != 1) {
            throw new SQLException("row " + id + " not updated");
        }
        c.commit();
        c.setAutoCommit(true);
    }

    /** The body with its top-level Temperature value replaced, edited as text. */
    private static String replaceTemperature(String body, double value) {
        String key = "\"Temperature\":";
        int from = body.indexOf(key);
        if (from < 0) {
            throw new IllegalStateException("no Temperature in " + body);
        }
        from += key.length();
        int to = from;
        while (to < body.length() && body.charAt(to) != ',' && body.charAt(to) != '}') {
            to++;
        }
        return body.substring(0, from) + String.format(Locale.ROOT, "%.1f", value) + body.substring(to);
    }

    @Override
    public void close() throws SQLException {
        if (sqliteWriter != null) {
            sqliteWriter.close();
        }
    }
}
