package io.twingress.store;

/** What the store reports about its commits; the application publishes it (Micrometer). */
public interface StoreMetrics {

    StoreMetrics NONE = new StoreMetrics() {
    };

    /**
     * One group of write units committed: {@code store} names the store (as its threads are named), with
     * how many units it held, the time spent applying them and the time the commit took (its sync included).
     */
    default void group(String store, int units, long applyNanos, long commitNanos) {
    }
}
