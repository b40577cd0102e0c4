package io.twingress.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The transaction discipline shared by both stores; subclasses say where connections come from. */
public abstract class JdbcTwinStore implements TwinStore {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcTwinStore.class);
    private static final int MAX_ATTEMPTS = 8;

    private final Dialect dialect;
    /** The write unit running on this thread, which a nested read or write joins. */
    private final ThreadLocal<StoreTx> currentWrite = new ThreadLocal<>();

    JdbcTwinStore(Dialect dialect) {
        this.dialect = dialect;
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
        StoreTx joined = currentWrite.get();
        if (joined != null) {
            // a second connection would not see the unit's own writes, and on PostgreSQL a full pool of
            // writers each waiting for one more connection would starve
            return work.apply(joined);
        }
        try (Connection c = readConnection()) {
            // one transaction, so that every query of the unit sees the same snapshot: a page of twins and
            // the relationships read next cannot straddle a concurrent commit
            return inTransaction(c, work, false);
        } catch (SQLException e) {
            throw new StoreException("cannot read from the " + kind() + " store", e);
        }
    }

    /** Called at the start of a read unit's transaction, before its first query. */
    protected void beginRead(Connection c) throws SQLException {
    }

    @Override
    public <T> T write(Function<StoreTx, T> work) {
        StoreTx joined = currentWrite.get();
        if (joined != null) {
            // on SQLite the nested unit would commit the outer one's half-done work; on PostgreSQL it would
            // wait for row locks its own thread holds. Joining keeps one unit: it commits, fails and retries whole.
            return work.apply(joined);
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return withWriter(c -> inTransaction(c, work, true));
            } catch (SQLException e) {
                if (attempt >= MAX_ATTEMPTS || !isRetryable(e.getSQLState(), e)) {
                    throw new StoreException("cannot write to the " + kind() + " store", e);
                }
                LOG.debug("retrying a write after a conflict ({}), attempt {}", e.getSQLState(), attempt);
                backOff(attempt);
            } catch (StoreException e) {
                if (attempt >= MAX_ATTEMPTS || !(e.getCause() instanceof SQLException sql)
                        || !isRetryable(sql.getSQLState(), sql)) {
                    throw e;
                }
                LOG.debug("retrying a write after a conflict ({}), attempt {}", sql.getSQLState(), attempt);
                backOff(attempt);
            }
        }
    }

    private <T> T inTransaction(Connection c, Function<StoreTx, T> work, boolean write) throws SQLException {
        c.setAutoCommit(false);
        T result;
        try {
            JdbcStoreTx tx = new JdbcStoreTx(c, dialect, write);
            if (write) {
                currentWrite.set(tx);
            } else {
                beginRead(c);
            }
            try {
                result = work.apply(tx);
            } finally {
                currentWrite.remove();
            }
            c.commit();
        } catch (Throwable e) {
            // a failed commit must be rolled back too: turning auto-commit back on would otherwise commit
            // the open transaction (SQLite does), and a unit reported as failed, then retried, would count twice
            rollbackAfter(c, e);
            throw e;
        }
        c.setAutoCommit(true);
        return result;
    }

    /** Rolls back after a failure without letting a second failure hide the first. */
    private static void rollbackAfter(Connection c, Throwable failure) {
        try {
            c.rollback();
            c.setAutoCommit(true);
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** A short random pause, growing with the attempt, so that two units that just collided do not collide again. */
    private static void backOff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1L << Math.min(attempt, 6)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while retrying a write", e);
        }
    }
}
