package io.twingress.store;

import java.util.List;
import java.util.function.Function;

/**
 * The durable twin graph. All access goes through a unit of work: {@link #write} runs it in one transaction
 * (so a change and everything it causes commit together) and retries it when a concurrent writer conflicted;
 * {@link #read} runs it on one read-only snapshot: every query of the unit sees the same committed state.
 * A read or write started inside a write unit on the same thread joins that unit.
 *
 * <p>Write units that arrive together commit together (group commit): they are applied in arrival order, each in
 * its own savepoint, and share one commit; each caller is answered after that commit, and a unit that fails rolls
 * back alone and gets its own error.
 */
public interface TwinStore extends AutoCloseable {

    <T> T read(Function<StoreTx, T> work);

    <T> T write(Function<StoreTx, T> work);

    /**
     * As {@link #write}, for a unit whose first statement either writes everything the unit writes or writes nothing
     * (an update guarded by the twin's etag, with its event), the rest of the unit running only in the second case.
     * Where units run in parallel transactions (PostgreSQL), that statement is its own transaction, and the unit's
     * transaction begins only if the unit goes on: a round trip fewer than a transaction's COMMIT when it does not.
     */
    default <T> T writeGuarded(Function<StoreTx, T> work) {
        return write(work);
    }

    /**
     * Applies {@code units} in order as one group: each is accepted or refused on its own (its failure rolls back
     * only its own changes) and all accepted ones commit together. The outcomes are in the units' order.
     */
    <T> List<Outcome<T>> writeEach(List<? extends Function<StoreTx, T>> units);

    /** What one unit of {@link #writeEach} came to: its result, or the failure that refused it. */
    record Outcome<T>(T value, Throwable failure) {

        public boolean accepted() {
            return failure == null;
        }

        /** The result, or the unit's own failure thrown as it was raised. */
        public T orThrow() {
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            if (failure != null) {
                throw new StoreException("a write unit failed", failure);
            }
            return value;
        }
    }

    /** True while this thread runs a read or write unit of this store, which a unit started now would join. */
    boolean inUnit();

    /** {@code sqlite} or {@code postgresql}. */
    String kind();

    /**
     * Where the embedded data history keeps its rows: this store, or one of its own that this one opened and closes
     * (the embedded SQLite store's second file, whose writer thread then historizes beside the twin writes').
     */
    default TwinStore historyStore() {
        return this;
    }

    /** Where this store (and its history store) reports its commits from now on. */
    default void reportTo(StoreMetrics metrics) {
    }

    @Override
    void close();
}
