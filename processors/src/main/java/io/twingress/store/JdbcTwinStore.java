package io.twingress.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The transaction discipline shared by both stores; subclasses say where connections come from. */
public abstract class JdbcTwinStore implements TwinStore {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcTwinStore.class);
    private static final int MAX_ATTEMPTS = 8;

    /**
     * The most units one commit takes from several callers; a longer queue is applied in several groups, but one
     * caller's units ({@link #writeEach}) are never split: a batch larger than this is a group of its own. Above two
     * ingress batches of the default 1,000 messages, so that both commit once when two consumers' batches queue
     * together.
     */
    private static final int MAX_GROUP = 2048;
    /** Groups that take a savepoint per unit after a group run without them saw a unit fail (applyTogether). */
    private static final int CAREFUL_GROUPS = 64;

    private final Dialect dialect;
    /** The write unit running on this thread, which a nested read or write joins. */
    private final ThreadLocal<JdbcStoreTx> currentWrite = new ThreadLocal<>();
    /** The read unit running on this thread, which a nested read joins rather than take a second connection. */
    private final ThreadLocal<StoreTx> currentRead = new ThreadLocal<>();
    /** Each caller's units, in arrival order. */
    private final ConcurrentLinkedQueue<List<Pending<?>>> queue = new ConcurrentLinkedQueue<>();
    private final Object groupWriterGuard = new Object();
    /** The thread that applies and commits the queued groups; started by the first grouped write. */
    private Thread groupWriter;
    private volatile boolean closing;
    private final AtomicLong commits = new AtomicLong();
    /** Groups still to run with a savepoint per unit from the start, since one run without failed. */
    private final AtomicInteger carefulGroups = new AtomicInteger();
    private volatile StoreMetrics metrics = StoreMetrics.NONE;

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

    /** The kept statements of a long-lived write connection, or null to prepare each statement anew. */
    protected StatementCache statementCache(Connection c) {
        return null;
    }

    @Override
    public void reportTo(StoreMetrics metrics) {
        this.metrics = metrics;
    }

    /** What this store's threads are called, before what each does. */
    protected String threadName() {
        return "twingress-" + kind();
    }

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
        StoreTx joined = currentWrite.get() != null ? currentWrite.get() : currentRead.get();
        if (joined != null) {
            // a second connection would not see a write unit's own writes, and on PostgreSQL a full pool of
            // units each waiting for one more connection would starve
            return work.apply(joined);
        }
        try (Connection c = readConnection()) {
            // one transaction, so that every query of the unit sees the same snapshot: a page of twins and
            // the relationships read next cannot straddle a concurrent commit
            return inReadTransaction(c, work);
        } catch (SQLException e) {
            throw new StoreException("cannot read from the " + kind() + " store", e);
        }
    }

    @Override
    public boolean inUnit() {
        return currentWrite.get() != null || currentRead.get() != null;
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
        return writeEach(List.of(work)).get(0).orThrow();
    }

    /**
     * Where units queue for one writer, as {@link #write}. Elsewhere the unit runs on its own connection with
     * auto-commit on until its second statement ({@link JdbcStoreTx#firstStatementAlone}).
     */
    @Override
    public <T> T writeGuarded(Function<StoreTx, T> work) {
        if (groupsWriters() || currentWrite.get() != null) {
            return write(work);
        }
        Pending<T> unit = new Pending<>(work, true);
        runGroup(List.of(unit));
        return unit.outcome().orThrow();
    }

    @Override
    public <T> List<Outcome<T>> writeEach(List<? extends Function<StoreTx, T>> units) {
        if (currentWrite.get() != null) {
            throw new IllegalStateException("writeEach runs its own group; it cannot join a write unit");
        }
        List<Pending<T>> mine = new ArrayList<>(units.size());
        units.forEach(work -> mine.add(new Pending<>(work)));
        if (mine.isEmpty()) {
            return List.of();
        }
        if (!groupsWriters()) {
            runGroup(new ArrayList<>(mine));
        } else {
            // one thread applies whatever has queued as one group and commits it, while the next units queue; each
            // caller is woken once, when the commit holding its units is done, and hands no lock on
            LockSupport.unpark(enqueue(new ArrayList<>(mine)));
            mine.get(mine.size() - 1).awaitDone();
        }
        List<Outcome<T>> outcomes = new ArrayList<>(mine.size());
        mine.forEach(p -> outcomes.add(p.outcome()));
        return outcomes;
    }

    /**
     * True if concurrent write units should queue for one writer and commit in groups (SQLite: one writer
     * connection, so a commit and its fsync per unit would cap the store); false if each runs its own transaction
     * in parallel (PostgreSQL, whose WAL flush already serves the commits that wait for it together).
     */
    protected abstract boolean groupsWriters();

    /** Commits since the store opened; more units than commits means units were grouped. */
    long commits() {
        return commits.get();
    }

    /**
     * Queues units for the writer thread, starting it if need be, and returns it. Refused once the store is closing:
     * a unit queued is a unit the writer will run, since it stops only when it finds the queue empty after that.
     */
    private Thread enqueue(List<Pending<?>> units) {
        synchronized (groupWriterGuard) {
            if (closing) {
                throw new StoreException("the " + kind() + " store is closed", null);
            }
            if (groupWriter == null) {
                groupWriter = new Thread(this::writeGroups, threadName() + "-writer");
                groupWriter.setDaemon(true);
                groupWriter.start();
            }
            queue.add(units);
            return groupWriter;
        }
    }

    private void writeGroups() {
        try {
            while (true) {
                List<Pending<?>> group = new ArrayList<>();
                for (List<Pending<?>> next; (next = queue.peek()) != null
                        && (group.isEmpty() || group.size() + next.size() <= MAX_GROUP);) {
                    group.addAll(queue.poll());
                }
                if (!group.isEmpty()) {
                    try {
                        runGroup(group);
                    } catch (Throwable e) {
                        // an Error a unit threw: its group fails, and the writer goes on with the others
                        StoreException failure = new StoreException("cannot write to the " + kind() + " store", e);
                        group.stream().filter(p -> !p.done).forEach(p -> p.fail(failure).markDone());
                    }
                    continue;
                }
                synchronized (groupWriterGuard) {
                    if (closing && queue.isEmpty()) {
                        groupWriter = null;
                        return;
                    }
                }
                // a unit that left this thread interrupted would otherwise make every park return at once
                Thread.interrupted();
                // a caller queues, then unparks: an unpark that comes first makes this park return at once
                LockSupport.park(this);
            }
        } catch (Throwable e) {
            // nothing above throws but the JVM itself (out of memory): no unit must wait for a writer that is gone
            StoreException failure = new StoreException("the " + kind() + " store's writer stopped", e);
            synchronized (groupWriterGuard) {
                groupWriter = null;
                for (List<Pending<?>> units; (units = queue.poll()) != null;) {
                    units.forEach(p -> p.fail(failure).markDone());
                }
            }
            LOG.error("the {} store's writer thread stopped; the next write starts another", kind(), e);
        }
    }

    /** Lets the units queued so far be written, then stops the writer thread; later writes are refused. */
    protected void stopGroupWriter() {
        Thread writer;
        synchronized (groupWriterGuard) {
            closing = true;
            writer = groupWriter;
        }
        if (writer != null && writer != Thread.currentThread()) {
            LockSupport.unpark(writer);
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Units waiting in {@link #queue} for the writer thread. */
    int queued() {
        return queue.stream().mapToInt(List::size).sum();
    }

    /**
     * Applies a group in one transaction, its units one after another; if one fails, the group runs again with each
     * unit in its own savepoint ({@link #applyTogether}). A unit that fails rolls back to its savepoint and keeps its
     * failure; a failure a concurrent writer caused (a conflict, a busy file) rolls the whole group back and runs it
     * again, since every unit may have been affected.
     */
    private void runGroup(List<? extends Pending<?>> group) {
        for (int attempt = 1; ; attempt++) {
            try {
                withWriter(c -> {
                    applyGroup(c, group);
                    return null;
                });
                commits.incrementAndGet();
                group.forEach(Pending::markDone);
                return;
            } catch (SQLException | RuntimeException e) {
                SQLException sql = e instanceof SQLException direct ? direct
                        : e.getCause() instanceof SQLException cause ? cause : null;
                if (attempt >= MAX_ATTEMPTS || sql == null || !isRetryable(sql.getSQLState(), sql)) {
                    StoreException failure = new StoreException("cannot write to the " + kind() + " store", e);
                    group.forEach(p -> {
                        p.fail(failure);
                        p.markDone();
                    });
                    return;
                }
                LOG.debug("retrying {} write units after a conflict ({}), attempt {}", group.size(),
                        sql.getSQLState(), attempt);
                group.forEach(Pending::reset);
                backOff(attempt);
            }
        }
    }

    private void applyGroup(Connection c, List<? extends Pending<?>> group) throws SQLException {
        if (!group.get(0).firstStatementAlone()) {
            c.setAutoCommit(false);
        }
        try {
            long start = System.nanoTime();
            if (group.size() == 1) {
                applyAlone(c, group.get(0));
            } else if (!applyTogether(c, group)) {
                for (Pending<?> unit : group) {
                    applyInSavepoint(c, unit);
                }
            }
            long applied = System.nanoTime();
            if (!c.getAutoCommit()) {
                c.commit();
            }
            metrics.group(threadName(), group.size(), applied - start, System.nanoTime() - applied);
        } catch (Throwable e) {
            // a failed commit must be rolled back too: turning auto-commit back on would otherwise commit
            // the open transaction (SQLite does), and a unit reported as failed, then retried, would count twice
            rollbackAfter(c, e);
            throw e;
        }
        c.setAutoCommit(true);
    }

    /**
     * Runs a group's units one after another with no savepoint between them: in the common case, where none fails,
     * none is needed, and each unit saves two statements (on PostgreSQL two round trips). If one fails, everything the
     * group wrote is rolled back and false returned, and the caller runs the group again with a savepoint per unit.
     * The next {@link #CAREFUL_GROUPS} groups then take their savepoints from the start: a sender whose writes keep
     * failing wastes at most one run in that many groups.
     */
    private boolean applyTogether(Connection c, List<? extends Pending<?>> group) throws SQLException {
        if (carefulGroups.get() > 0) {
            carefulGroups.decrementAndGet();
            return false;
        }
        StatementCache cache = statementCache(c);
        // a transaction view keeps the model-set version it read first: where the group holds the one writer
        // (SQLite) nothing else moves it, and one view serves every unit; elsewhere each unit reads it anew
        JdbcStoreTx shared = groupsWriters() ? new JdbcStoreTx(c, dialect, true, cache) : null;
        try {
            for (Pending<?> unit : group) {
                currentWrite.set(shared != null ? shared : new JdbcStoreTx(c, dialect, true, cache));
                unit.apply(currentWrite.get());
            }
            return true;
        } catch (RuntimeException | Error e) {
            c.rollback();
            group.forEach(Pending::reset);
            carefulGroups.set(CAREFUL_GROUPS);
            return false;
        } finally {
            currentWrite.remove();
        }
    }

    /** A lone unit needs no savepoint: its failure rolls back the transaction it alone is in. */
    private void applyAlone(Connection c, Pending<?> unit) throws SQLException {
        JdbcStoreTx tx = new JdbcStoreTx(c, dialect, true, statementCache(c));
        currentWrite.set(unit.firstStatementAlone() ? tx.firstStatementAlone() : tx);
        try {
            unit.apply(currentWrite.get());
        } catch (RuntimeException | Error e) {
            if (isRetryable(e)) {
                // the whole transaction runs again (runGroup)
                throw e;
            }
            unit.fail(e);
            if (!c.getAutoCommit()) {
                c.rollback();
            }
        } finally {
            currentWrite.remove();
        }
    }

    /**
     * A unit among others: its failure rolls back to its savepoint and refuses it alone. A conflict with a
     * concurrent writer (a duplicate key another transaction just committed, a deadlock) runs the unit again from
     * its savepoint, so that one unit's conflict does not cost the whole group.
     */
    private void applyInSavepoint(Connection c, Pending<?> unit) throws SQLException {
        StatementCache cache = statementCache(c);
        for (int attempt = 1; ; attempt++) {
            UnitSavepoint savepoint = UnitSavepoint.set(c, cache);
            currentWrite.set(new JdbcStoreTx(c, dialect, true, cache));
            try {
                unit.apply(currentWrite.get());
                savepoint.release();
                return;
            } catch (RuntimeException | Error e) {
                savepoint.rollback();
                if (!isRetryable(e) || attempt >= MAX_ATTEMPTS) {
                    unit.fail(e);
                    return;
                }
                unit.reset();
                backOff(attempt);
            } finally {
                currentWrite.remove();
            }
        }
    }

    /**
     * A unit's savepoint. On a connection that keeps its statements (SQLite's writer) it is one fixed name run through
     * kept statements: the driver's JDBC savepoints format and parse a new statement for each step (4% of the writer
     * thread's time in ingress). Units do not nest (a nested write joins its unit), so one name serves all.
     */
    private record UnitSavepoint(Connection c, StatementCache cache, Savepoint jdbc) {

        static UnitSavepoint set(Connection c, StatementCache cache) throws SQLException {
            if (cache == null) {
                return new UnitSavepoint(c, null, c.setSavepoint());
            }
            cache.prepare("SAVEPOINT twingress_unit").execute();
            return new UnitSavepoint(c, cache, null);
        }

        void release() throws SQLException {
            if (jdbc != null) {
                c.releaseSavepoint(jdbc);
            } else {
                cache.prepare("RELEASE twingress_unit").execute();
            }
        }

        /** Undoes what the unit wrote and ends the savepoint. */
        void rollback() throws SQLException {
            if (jdbc != null) {
                c.rollback(jdbc);
            } else {
                cache.prepare("ROLLBACK TO twingress_unit").execute();
            }
            release();
        }
    }

    private boolean isRetryable(Throwable e) {
        return e instanceof StoreException && e.getCause() instanceof SQLException sql
                && isRetryable(sql.getSQLState(), sql);
    }

    /** One write unit in a group: its work and, once the group ran, its result or failure. */
    private static final class Pending<T> {
        private final Function<StoreTx, T> work;
        private final Thread owner = Thread.currentThread();
        /** A lone unit run as {@link #writeGuarded} does, outside the writer's groups. */
        private final boolean firstStatementAlone;
        private T value;
        private Throwable failure;
        /** Set once the group holding the unit committed or failed; value and failure are set before it. */
        private volatile boolean done;

        Pending(Function<StoreTx, T> work) {
            this(work, false);
        }

        Pending(Function<StoreTx, T> work, boolean firstStatementAlone) {
            this.work = work;
            this.firstStatementAlone = firstStatementAlone;
        }

        boolean firstStatementAlone() {
            return firstStatementAlone;
        }

        /** What the unit came to, once its group is done. */
        Outcome<T> outcome() {
            return new Outcome<>(value, failure);
        }

        void apply(JdbcStoreTx tx) {
            value = work.apply(tx);
            tx.flush();
        }

        Pending<T> fail(Throwable e) {
            value = null;
            failure = e;
            return this;
        }

        void markDone() {
            done = true;
            if (owner != Thread.currentThread()) {
                LockSupport.unpark(owner);
            }
        }

        /** Waits, without giving up on an interrupt, until the writer has committed or refused this unit. */
        void awaitDone() {
            boolean interrupted = false;
            while (!done) {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        void reset() {
            value = null;
            failure = null;
        }
    }

    private <T> T inReadTransaction(Connection c, Function<StoreTx, T> work) throws SQLException {
        c.setAutoCommit(false);
        T result;
        try {
            beginRead(c);
            currentRead.set(new JdbcStoreTx(c, dialect, false, statementCache(c)));
            try {
                result = work.apply(currentRead.get());
            } finally {
                currentRead.remove();
            }
            c.commit();
        } catch (Throwable e) {
            rollbackAfter(c, e);
            throw e;
        }
        c.setAutoCommit(true);
        return result;
    }

    /** Rolls back after a failure without letting a second failure hide the first. */
    private static void rollbackAfter(Connection c, Throwable failure) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
            }
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
