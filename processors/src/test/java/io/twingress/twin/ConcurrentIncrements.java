package io.twingress.twin;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.AdtException;
import io.twingress.Json;

/**
 * Clients incrementing one integer property of one twin at the same time, the way an ADT client must: read the
 * twin, patch the next value with If-Match on the ETag read, and start over after a 412. Every patch that succeeded
 * must show in the end, so a store that lets two writers pass If-Match on the same ETag (a missing row lock) ends
 * short of {@code threads * increments}.
 */
final class ConcurrentIncrements {

    /** The ETags the successful patches returned, and how many patches lost the race and were tried again. */
    record Outcome(List<String> etags, int conflicts) {
    }

    private ConcurrentIncrements() {
    }

    static Outcome run(TwinOperations twins, String twinId, String property, int threads, int increments)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<String> etags = new CopyOnWriteArrayList<>();
        AtomicInteger conflicts = new AtomicInteger();
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                clients.add(pool.submit(() -> {
                    // every client is running before any starts, so that their reads and writes interleave
                    ready.countDown();
                    start.await();
                    for (int i = 0; i < increments; i++) {
                        etags.add(increment(twins, twinId, property, conflicts));
                    }
                    return null;
                }));
            }
            if (!ready.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the clients did not start");
            }
            start.countDown();
            for (Future<?> client : clients) {
                client.get(90, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return new Outcome(List.copyOf(etags), conflicts.get());
    }

    private static String increment(TwinOperations twins, String twinId, String property, AtomicInteger conflicts) {
        while (true) {
            ObjectNode twin = twins.get(twinId);
            int next = twin.get(property).asInt() + 1;
            try {
                return twins.patch(twinId, Json.parse("[{\"op\":\"replace\",\"path\":\"/" + property
                        + "\",\"value\":" + next + "}]"), twin.get("$etag").asText());
            } catch (AdtException e) {
                if (e.status() != 412) {
                    throw e;
                }
                conflicts.incrementAndGet();
            }
        }
    }
}
