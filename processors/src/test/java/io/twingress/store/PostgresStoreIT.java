package io.twingress.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class PostgresStoreIT extends StoreContract {

    @Override
    protected TwinStore openStore() {
        return new PostgresTwinStore(SharedPostgres.createDatabase(), SharedPostgres.USER, SharedPostgres.PASSWORD, 8);
    }

    /**
     * A twin read for update brings the model-set version along in the same statement; the lock is the twin's
     * alone, so units on two twins do not wait for each other on the version's row.
     */
    @Test
    @Timeout(60)
    void unitsReadingTwoTwinsForUpdateDoNotWaitForEachOther() throws Exception {
        write(tx -> tx.insertTwin(twin("a", "dtmi:test:Room;1")));
        write(tx -> tx.insertTwin(twin("b", "dtmi:test:Room;1")));
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> first = heldOpen(pool, tx -> tx.twinForUpdate("a"), release);
            Future<StoredTwin> second = pool.submit(() -> store.<StoredTwin>write(tx -> tx.twinForUpdate("b")));
            assertThat(second.get(10, TimeUnit.SECONDS)).as("read while the first unit holds its twin")
                    .isEqualTo(twin("b", "dtmi:test:Room;1"));
            release.countDown();
            first.get(10, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    /**
     * A transaction still running holds the outbox's read horizon below events committed after it began. A new
     * consumer starts after those events (they were committed before it existed), not at the head below the horizon,
     * where it would read them once the running transaction ends.
     */
    @Test
    @Timeout(60)
    void aNewConsumerDoesNotReadWhatWasCommittedAboveARunningTransaction() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> running = heldOpen(pool, tx -> tx.appendEvent(event("running")), release);
            write(tx -> tx.appendEvent(event("committed-before")));
            assertThat(store.<OutboxPosition>read(StoreTx::outboxHead)).as("held below the running transaction")
                    .isEqualTo(OutboxPosition.START);
            OutboxPosition start = store.read(StoreTx::outboxEnd);
            release.countDown();
            running.get(10, TimeUnit.SECONDS);
            write(tx -> tx.appendEvent(event("committed-after")));
            assertThat(store.<List<OutboxEvent>>read(tx -> tx.eventsAfter(start, 10)))
                    .extracting(OutboxEvent::eventId).containsExactly("committed-after");
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    /** Runs {@code work} in a write unit on {@code pool}, which stays open after it until {@code release} opens. */
    private Future<?> heldOpen(ExecutorService pool, Consumer<StoreTx> work, CountDownLatch release)
            throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        Future<?> unit = pool.submit(() -> store.write(tx -> {
            work.accept(tx);
            holding.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        holding.await();
        return unit;
    }
}
