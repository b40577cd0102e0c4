package io.twingress.store;

import java.util.function.Function;

/**
 * The durable twin graph. All access goes through a unit of work: {@link #write} runs it in one transaction
 * (so a change and everything it causes commit together) and retries it when a concurrent writer conflicted;
 * {@link #read} runs it on one read-only snapshot: every query of the unit sees the same committed state.
 * A read or write started inside a write unit on the same thread joins that unit.
 */
public interface TwinStore extends AutoCloseable {

    <T> T read(Function<StoreTx, T> work);

    <T> T write(Function<StoreTx, T> work);

    /** {@code sqlite} or {@code postgresql}. */
    String kind();

    @Override
    void close();
}
