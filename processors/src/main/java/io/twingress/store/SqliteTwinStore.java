package io.twingress.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;

/**
 * The embedded store: one SQLite file in WAL mode. SQLite admits one writer at a time, so writes share one
 * connection and commit in groups (one commit, one fsync, for the units that queued meanwhile), while reads run in
 * parallel on a pool.
 */
public final class SqliteTwinStore extends JdbcTwinStore {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteTwinStore.class);

    /** Page cache sizes, in the negative KiB form SQLite's cache_size takes. */
    private static final int WRITER_CACHE_KIB = -64 * 1024;
    private static final int READER_CACHE_KIB = -16 * 1024;
    /**
     * The commit that takes the write-ahead log past this many pages (about 40 MiB) copies it back into the database,
     * should the {@link SqliteCheckpointer} have fallen that far behind. SQLite's 1,000 made every other commit of an
     * ingress batch (some 500 pages of twins, history and ids written at random places) a checkpoint too.
     */
    private static final int CHECKPOINT_PAGES = 10_000;
    /** After a checkpoint that emptied it, the log file is cut back to this size. */
    private static final long WAL_SIZE_LIMIT = 64L * 1024 * 1024;

    private final ReentrantLock writeLock = new ReentrantLock(true);
    private final Connection writer;
    /** Used only by the thread holding {@link #writeLock}. */
    private final StatementCache writerStatements;
    private final HikariDataSource readers;
    private final SqliteCheckpointer checkpointer;
    /** Each read connection's kept statements, by the connection behind the pool's proxy. */
    private final Map<Connection, StatementCache> readerStatements = new ConcurrentHashMap<>();
    private final Path file;

    /** The store of the history rows, if they have a file of their own; else null. */
    private final SqliteTwinStore history;
    /** What its threads and pool are called: {@code twingress-sqlite}, or {@code twingress-sqlite-history}. */
    private final String name;

    /**
     * @param synchronous {@code FULL} (every commit is on disk before it is acknowledged) or {@code NORMAL}
     */
    public SqliteTwinStore(Path file, String synchronous) {
        this(file, null, synchronous);
    }

    /**
     * @param historyFile where the data history's rows are kept, with a writer thread of their own; null (or this
     *                    store's own file) to keep them here. Rows an earlier release kept here move there once.
     */
    public SqliteTwinStore(Path file, Path historyFile, String synchronous) {
        this(file, historyFile, synchronous, "twingress-sqlite");
    }

    private SqliteTwinStore(Path file, Path historyFile, String synchronous, String name) {
        super(Dialect.SQLITE);
        this.file = file;
        this.name = name;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            SQLiteDataSource writeSource = dataSource(file, synchronous, false);
            migrate(writeSource);
            this.writer = writer(writeSource);
            this.writerStatements = new StatementCache(writer);
            this.checkpointer = new SqliteCheckpointer(writeSource.getConnection(), name + "-checkpoint");
            HikariConfig pool = new HikariConfig();
            pool.setDataSource(dataSource(file, synchronous, true));
            // Hikari applies its read-only flag to every connection; SQLite fixes it at open and refuses a change
            pool.setReadOnly(true);
            pool.setMaximumPoolSize(Math.max(4, Runtime.getRuntime().availableProcessors() * 2));
            pool.setPoolName(name + "-read");
            // a local file needs no fresh connections, and each keeps its prepared statements
            pool.setMaxLifetime(0);
            this.readers = new HikariDataSource(pool);
            this.history = historyFile == null || sameFile(file, historyFile) ? null
                    : new SqliteTwinStore(historyFile, null, synchronous, "twingress-sqlite-history");
            if (history != null) {
                try {
                    history.moveHistoryFrom(file);
                } catch (SQLException | RuntimeException e) {
                    history.close();
                    throw e;
                }
            }
        } catch (IOException | SQLException e) {
            throw new StoreException("cannot open the SQLite store at " + file, e);
        }
    }

    /**
     * A connection configured as this store's writer (page cache, log and checkpoint settings, write lock at BEGIN),
     * for the benchmarks' raw JDBC references; the file must already be a store's.
     */
    public static Connection openWriter(Path file, String synchronous) throws SQLException {
        return writer(dataSource(file, synchronous, false));
    }

    private static Connection writer(SQLiteDataSource source) throws SQLException {
        Connection writer = source.getConnection();
        try (Statement pragma = writer.createStatement()) {
            pragma.execute("PRAGMA wal_autocheckpoint = " + CHECKPOINT_PAGES);
            pragma.execute("PRAGMA journal_size_limit = " + WAL_SIZE_LIMIT);
        } catch (SQLException e) {
            writer.close();
            throw e;
        }
        return writer;
    }

    private static SQLiteDataSource dataSource(Path file, String synchronous, boolean readOnly) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.valueOf(synchronous));
        config.enforceForeignKeys(true);
        config.setBusyTimeout(30_000);
        // a writer takes the write lock at BEGIN, so it cannot fail later when upgrading a read lock; a reader
        // must not ask for it at all
        config.setTransactionMode(readOnly ? SQLiteConfig.TransactionMode.DEFERRED
                : SQLiteConfig.TransactionMode.IMMEDIATE);
        config.setReadOnly(readOnly);
        // SQLite's default page cache is 2 MiB: past a few million history rows, every insert into the per-twin
        // index would read its page back from the file
        config.setCacheSize(readOnly ? READER_CACHE_KIB : WRITER_CACHE_KIB);
        // nothing reads generated keys, and the driver would otherwise prepare a SELECT last_insert_rowid() after
        // every insert
        config.setGetGeneratedKeys(false);
        SQLiteDataSource ds = new SQLiteDataSource(config);
        ds.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
        return ds;
    }

    private static boolean sameFile(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    /** The history tables, in the order their rows are moved. */
    private static final List<String> HISTORY_TABLES = List.of("history_property_events", "history_telemetry_events",
            "history_twin_lifecycle", "history_relationship_lifecycle");

    /**
     * Moves the history rows kept in {@code earlier} (the twin store's file, before history had one of its own) into
     * this store, keeping their ids. The copy commits here before the rows are deleted there: a move cut short by a
     * crash, its rows here already, is finished on the next start and copies nothing twice. Rows there that this
     * store, holding rows of its own, does not have (the history file was turned off and on again) are left alone.
     */
    private void moveHistoryFrom(Path earlier) throws SQLException {
        withWriter(c -> {
            try (PreparedStatement attach = c.prepareStatement("ATTACH DATABASE ? AS earlier")) {
                attach.setString(1, earlier.toAbsolutePath().toString());
                attach.execute();
            }
            try (Statement sql = c.createStatement()) {
                long waiting = count(sql, "earlier");
                boolean mine = waiting > 0 && count(sql, "main") > 0;
                if (mine && !allCopied(sql)) {
                    LOG.warn("{} holds {} history rows that {} does not have; they stay there, and history queries"
                            + " read only {}", earlier, waiting, file, file);
                } else if (waiting > 0) {
                    LOG.info("moving {} history rows from {} to {}", waiting, earlier, file);
                    c.setAutoCommit(false);
                    if (!mine) {
                        for (String table : HISTORY_TABLES) {
                            sql.executeUpdate("INSERT INTO main." + table + " SELECT * FROM earlier." + table);
                        }
                        for (HistoryRows.ValueTable values : HistoryRows.ValueTable.values()) {
                            sql.executeUpdate("INSERT INTO main." + values.byTwin() + " SELECT connection, twin_id,"
                                    + " time_stamp, id FROM main." + values.sqlName()
                                    + " ORDER BY connection, twin_id, time_stamp, id");
                        }
                        c.commit();
                    }
                    for (String table : HISTORY_TABLES) {
                        sql.executeUpdate("DELETE FROM earlier." + table);
                    }
                    for (HistoryRows.ValueTable values : HistoryRows.ValueTable.values()) {
                        sql.executeUpdate("DELETE FROM earlier." + values.byTwin());
                        sql.executeUpdate("DELETE FROM earlier." + values.byTwinRecent());
                    }
                    sql.executeUpdate("DELETE FROM earlier.history_by_twin_moves");
                    c.commit();
                    c.setAutoCommit(true);
                    LOG.info("history rows moved to {}", file);
                }
                sql.execute("DETACH DATABASE earlier");
            }
            return null;
        });
    }

    /** True if every history row in the attached {@code earlier} file is here too, ids and all. */
    private static boolean allCopied(Statement sql) throws SQLException {
        for (String table : HISTORY_TABLES) {
            try (ResultSet rs = sql.executeQuery("SELECT EXISTS (SELECT * FROM earlier." + table
                    + " EXCEPT SELECT * FROM main." + table + ")")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static long count(Statement sql, String schema) throws SQLException {
        long rows = 0;
        for (String table : HISTORY_TABLES) {
            try (ResultSet rs = sql.executeQuery("SELECT count(*) FROM " + schema + "." + table)) {
                rs.next();
                rows += rs.getLong(1);
            }
        }
        return rows;
    }

    @Override
    protected String threadName() {
        return name;
    }

    @Override
    public void reportTo(StoreMetrics metrics) {
        super.reportTo(metrics);
        if (history != null) {
            history.reportTo(metrics);
        }
    }

    @Override
    public TwinStore historyStore() {
        return history != null ? history : this;
    }

    private static boolean isClosed(Connection c) {
        try {
            return c.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    @Override
    public String kind() {
        return "sqlite";
    }

    public Path file() {
        return file;
    }

    @Override
    protected Connection readConnection() throws SQLException {
        return readers.getConnection();
    }

    @Override
    protected StatementCache statementCache(Connection c) {
        if (writerStatements.serves(c)) {
            return writerStatements;
        }
        try {
            // the pool lends a new proxy each time: the statements belong to the connection behind it, which one
            // thread at a time holds
            Connection physical = c.unwrap(SQLiteConnection.class);
            StatementCache cache = readerStatements.get(physical);
            if (cache == null) {
                // a connection the pool replaced (it keeps them, but evicts a broken one) takes its cache along
                readerStatements.keySet().removeIf(SqliteTwinStore::isClosed);
                cache = readerStatements.computeIfAbsent(physical, StatementCache::new);
            }
            return cache;
        } catch (SQLException e) {
            return null;
        }
    }

    @Override
    protected <T> T withWriter(SqlWork<T> unit) throws SQLException {
        writeLock.lock();
        try {
            return unit.run(writer);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    protected boolean groupsWriters() {
        return true;
    }

    @Override
    protected boolean isRetryable(String sqlState, SQLException e) {
        return e.getErrorCode() == SQLiteErrorCode.SQLITE_BUSY.code;
    }

    @Override
    public void close() {
        if (history != null) {
            history.close();
        }
        stopGroupWriter();
        checkpointer.close();
        readers.close();
        writeLock.lock();
        try {
            writerStatements.close();
            writer.close();
        } catch (SQLException e) {
            throw new StoreException("cannot close the SQLite store", e);
        } finally {
            writeLock.unlock();
        }
    }
}
