package io.twingress.event;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What an endpoint's settings may be: the range its {@code retryPolicy.timeToLive} must fall in, and where its Files
 * dead letters may be written.
 *
 * @param minTimeToLive   the shortest allowed; ADT promises to keep resending for at least 20 minutes
 * @param maxTimeToLive   the longest allowed; ADT keeps resending for at most 24 hours
 * @param deadLetterRoot  the directory a Files dead letter's directory is taken relative to and must stay inside
 *                        (absolute), or null for anywhere: an API caller must not write files where it likes
 */
public record EndpointLimits(Duration minTimeToLive, Duration maxTimeToLive, Path deadLetterRoot) {

    /** ADT's window: at least 20 minutes, at most 24 hours. */
    public static final EndpointLimits PRODUCTION = new EndpointLimits(Duration.ofMinutes(20), Duration.ofHours(24));

    /** For reading back what the store holds: limits may have changed since, and a stored endpoint stays valid. */
    public static final EndpointLimits ANY = new EndpointLimits(Duration.ofNanos(1), Duration.ofSeconds(Long.MAX_VALUE));

    public EndpointLimits {
        deadLetterRoot = deadLetterRoot == null ? null : deadLetterRoot.toAbsolutePath().normalize();
        Objects.requireNonNull(minTimeToLive, "minTimeToLive");
        Objects.requireNonNull(maxTimeToLive, "maxTimeToLive");
        if (minTimeToLive.isNegative() || minTimeToLive.isZero()) {
            throw new IllegalArgumentException("minTimeToLive must be positive but is " + minTimeToLive);
        }
        if (maxTimeToLive.compareTo(minTimeToLive) < 0) {
            throw new IllegalArgumentException("maxTimeToLive " + maxTimeToLive + " is below minTimeToLive "
                    + minTimeToLive);
        }
    }

    /** The time-to-live range, with dead letters anywhere. */
    public EndpointLimits(Duration minTimeToLive, Duration maxTimeToLive) {
        this(minTimeToLive, maxTimeToLive, null);
    }
}
