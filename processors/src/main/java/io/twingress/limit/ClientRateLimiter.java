package io.twingress.limit;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per client: each client may send {@code burst} requests at once and {@code ratePerSecond} on
 * average. A client whose bucket is full is forgotten when the table is swept, so the table holds only the clients
 * that sent recently; its size is capped, past which unknown clients share one bucket rather than grow the table.
 */
public final class ClientRateLimiter {

    private static final String OVERFLOW = "\u0000overflow";

    private final double ratePerNano;
    private final double burst;
    private final int maxClients;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private volatile long lastSweep;

    private final class Bucket {
        private double tokens = burst;
        private long updated = nanoTime.getAsLong();

        /** 0 if a token was taken, else the nanoseconds until one is there. */
        synchronized long take(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / ratePerNano));
        }

        synchronized boolean full(long now) {
            refill(now);
            return tokens >= burst;
        }

        private void refill(long now) {
            tokens = Math.min(burst, tokens + (now - updated) * ratePerNano);
            updated = now;
        }
    }

    /**
     * @param ratePerSecond sustained requests per second per client
     * @param burst requests a client may send at once
     * @param maxClients clients tracked at once
     * @param nanoTime a monotonic clock ({@code System::nanoTime})
     */
    public ClientRateLimiter(double ratePerSecond, int burst, int maxClients, LongSupplier nanoTime) {
        if (ratePerSecond <= 0 || burst < 1 || maxClients < 1) {
            throw new IllegalArgumentException("the request rate must be positive and the burst at least 1");
        }
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.maxClients = maxClients;
        this.nanoTime = nanoTime;
        this.lastSweep = nanoTime.getAsLong();
    }

    /** 0 if the client may send a request now (and it is counted), else how many seconds to wait, at least 1. */
    public long acquire(String client) {
        long now = nanoTime.getAsLong();
        sweepNow(now);
        Bucket bucket = buckets.get(client);
        if (bucket == null) {
            bucket = buckets.size() >= maxClients ? buckets.computeIfAbsent(OVERFLOW, c -> new Bucket())
                    : buckets.computeIfAbsent(client, c -> new Bucket());
        }
        long wait = bucket.take(now);
        return wait == 0 ? 0 : Math.max(1, (wait + 999_999_999L) / 1_000_000_000L);
    }

    /** Clients currently tracked; for tests. */
    public int tracked() {
        return buckets.size();
    }

    /** Once a second at most, forgets the clients whose buckets are full again. */
    private void sweepNow(long now) {
        if (now - lastSweep < 1_000_000_000L) {
            return;
        }
        lastSweep = now;
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext();) {
            if (it.next().full(now)) {
                it.remove();
            }
        }
    }
}
