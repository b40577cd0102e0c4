package io.twingress.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the write-ahead log back into the database file on a thread and connection of its own, every
 * {@link #PERIOD_MS} milliseconds, without waiting for readers or the writer (a passive checkpoint). Left to the
 * writer, the commit that crossed the log's size limit copied some 10,000 pages and synced the file itself: 80–190 ms
 * in which no unit committed, which every caller queued behind it waited out.
 */
final class SqliteCheckpointer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteCheckpointer.class);
    static final long PERIOD_MS = 100;

    private final Connection connection;
    private final Thread thread;
    private volatile boolean closing;

    SqliteCheckpointer(Connection connection, String name) {
        this.connection = connection;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try (Statement checkpoint = connection.createStatement()) {
            while (!closing) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(PERIOD_MS));
                if (closing) {
                    break;
                }
                try {
                    checkpoint.execute("PRAGMA wal_checkpoint(PASSIVE)");
                } catch (SQLException e) {
                    // the writer's own checkpoint, at a larger log, remains: a failed round only delays the copy
                    LOG.debug("a passive checkpoint failed: {}", e.getMessage());
                }
            }
        } catch (SQLException e) {
            LOG.warn("the SQLite checkpoint thread stopped; the writer checkpoints alone from now on", e);
        }
    }

    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debug("the checkpoint connection did not close cleanly: {}", e.getMessage());
        }
    }
}
