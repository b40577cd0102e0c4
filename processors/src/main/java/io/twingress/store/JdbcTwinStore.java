package io.twingress.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Function;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The transaction discipline shared by both stores; subclasses say where connections come from. */
public abstract class JdbcTwinStore implements TwinStore {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcTwinStore.class);
    private static final int MAX_ATTEMPTS = 8;

    private final boolean rowLocks;

    protected JdbcTwinStore(boolean rowLocks) {
        this.rowLocks = rowLocks;
    }

    /** Brings the schema up to date; the migrations live under {@code db/migration/<kind>}. */
    protected void migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration/" + kind())
                .load()
                .migrate();
    }

    protected abstract Connection readConnection() throws SQLException;

    /** Runs one write unit on a connection; SQLite lends its single writer here. */
    protected abstract <T> T withWriter(SqlWork<T> unit) throws SQLException;

    @FunctionalInterface
    protected interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /** True if the failure came from a concurrent writer and the unit should run again. */
    protected abstract boolean isRetryable(String sqlState, SQLException e);

    @Override
    public <T> T read(Function<StoreTx, T> work) {
        try (Connection c = readConnection()) {
            return work.apply(new JdbcStoreTx(c, false));
        } catch (SQLException e) {
            throw new StoreException("cannot read from the " + kind() + " store", e);
        }
    }

    @Override
    public <T> T write(Function<StoreTx, T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return withWriter(c -> inTransaction(c, work));
            } catch (SQLException e) {
                if (attempt >= MAX_ATTEMPTS || !isRetryable(e.getSQLState(), e)) {
                    throw new StoreException("cannot write to the " + kind() + " store", e);
                }
                LOG.debug("retrying a write after a conflict ({}), attempt {}", e.getSQLState(), attempt);
            } catch (StoreException e) {
                if (attempt >= MAX_ATTEMPTS || !(e.getCause() instanceof SQLException sql)
                        || !isRetryable(sql.getSQLState(), sql)) {
                    throw e;
                }
                LOG.debug("retrying a write after a conflict ({}), attempt {}", sql.getSQLState(), attempt);
            }
        }
    }

    private <T> T inTransaction(Connection c, Function<StoreTx, T> work) throws SQLException {
        c.setAutoCommit(false);
        try {
            T result = work.apply(new JdbcStoreTx(c, rowLocks));
            c.commit();
            return result;
        } catch (RuntimeException | Error e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }
}
