package io.twingress.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The production store on PostgreSQL. Writes to one twin serialize on its row lock; a unit that loses a race
 * (a serialization failure, a deadlock, or two creators of the same id) runs again.
 */
public final class PostgresTwinStore extends JdbcTwinStore {

    /** serialization_failure, deadlock_detected, unique_violation (a concurrent create of the same key). */
    private static final Set<String> RETRYABLE = Set.of("40001", "40P01", "23505");

    private final HikariDataSource pool;

    public PostgresTwinStore(String url, String user, String password, int poolSize) {
        super(Dialect.POSTGRESQL);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("twingress-postgresql");
        this.pool = new HikariDataSource(config);
        try {
            migrate(pool);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    @Override
    public String kind() {
        return "postgresql";
    }

    @Override
    protected Connection readConnection() throws SQLException {
        return pool.getConnection();
    }

    @Override
    protected void beginRead(Connection c) throws SQLException {
        // one snapshot for the whole read unit; sent with the BEGIN, so it costs no extra round trip
        try (Statement s = c.createStatement()) {
            s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        }
    }

    @Override
    protected <T> T withWriter(SqlWork<T> unit) throws SQLException {
        try (Connection c = pool.getConnection()) {
            return unit.run(c);
        }
    }

    @Override
    protected boolean groupsWriters() {
        return false;
    }

    @Override
    protected boolean isRetryable(String sqlState, SQLException e) {
        return sqlState != null && RETRYABLE.contains(sqlState);
    }

    @Override
    public void close() {
        pool.close();
    }
}
