package io.twingress.event;

import java.time.Duration;
import java.util.Objects;

/**
 * How an endpoint retries a delivery that failed: exponential backoff with jitter until the event's time to live runs
 * out, after which it goes to the dead-letter store.
 *
 * @param timeToLive   how long after the first try an event is retried before it is dead-lettered
 * @param initialDelay the wait before the first retry, before jitter
 * @param maxDelay     no wait is longer, jitter included
 * @param multiplier   each wait is this many times the previous one, before jitter; 1.0 to 10.0
 * @param jitter       the fraction by which a wait may be shorter or longer, 0.0 to 1.0, so that the retries of many
 *                     events that failed together do not arrive together
 */
public record RetryPolicy(Duration timeToLive, Duration initialDelay, Duration maxDelay, double multiplier,
        double jitter) {

    public static final Duration DEFAULT_TIME_TO_LIVE = Duration.ofHours(24);
    public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofMinutes(5);
    public static final double DEFAULT_MULTIPLIER = 2.0;
    public static final double DEFAULT_JITTER = 0.2;
    public static final double MIN_MULTIPLIER = 1.0;
    public static final double MAX_MULTIPLIER = 10.0;

    public RetryPolicy {
        Objects.requireNonNull(timeToLive, "timeToLive");
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        for (Duration d : new Duration[] {timeToLive, initialDelay, maxDelay}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("durations must be positive: " + d);
            }
        }
        if (maxDelay.compareTo(initialDelay) < 0 || maxDelay.compareTo(timeToLive) > 0) {
            throw new IllegalArgumentException("maxDelay " + maxDelay + " must be between initialDelay "
                    + initialDelay + " and timeToLive " + timeToLive);
        }
        if (!(multiplier >= MIN_MULTIPLIER && multiplier <= MAX_MULTIPLIER)) {
            throw new IllegalArgumentException("multiplier must be 1.0 to 10.0 but is " + multiplier);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("jitter must be 0.0 to 1.0 but is " + jitter);
        }
    }

    /** ADT's promise with Twingress's defaults: 24 hours, 1 s doubling up to 5 min, ±20%. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(DEFAULT_TIME_TO_LIVE, DEFAULT_INITIAL_DELAY, DEFAULT_MAX_DELAY, DEFAULT_MULTIPLIER,
                DEFAULT_JITTER);
    }

    /**
     * The wait before retry {@code attempt}: {@code initialDelay × multiplier^(attempt-1)}, moved by up to ±jitter of
     * itself, then capped at {@code maxDelay}. For a fixed {@code random01} the waits never shrink from one attempt to
     * the next.
     *
     * @param attempt  1 for the first retry (the try after the first failure), 2 for the next, ...
     * @param random01 a uniformly random number from 0.0 to 1.0; 0.0 gives the shortest wait, 0.5 the unjittered
     *                 one, 1.0 the longest
     */
    public Duration delayBeforeAttempt(int attempt, double random01) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt counts retries from 1 but is " + attempt);
        }
        if (!(random01 >= 0.0 && random01 <= 1.0)) {
            throw new IllegalArgumentException("random01 must be 0.0 to 1.0 but is " + random01);
        }
        // in seconds as a double: multiplier^attempt overflows a long of nanos long before it reaches infinity
        double base = seconds(initialDelay) * Math.pow(multiplier, attempt - 1);
        double jittered = base * (1.0 + jitter * (2.0 * random01 - 1.0));
        if (jittered >= seconds(maxDelay)) {
            return maxDelay;
        }
        return Duration.ofNanos(Math.round(jittered * 1e9));
    }

    private static double seconds(Duration d) {
        return d.getSeconds() + d.getNano() / 1e9;
    }
}
