package io.twingress.twin;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves one millisecond on every read, so two writes never share a timestamp and no test sleeps. */
final class TestClock extends Clock {

    private final AtomicLong millis = new AtomicLong(Instant.parse("2024-01-01T00:00:00Z").toEpochMilli());

    static TestClock ticking() {
        return new TestClock();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.incrementAndGet());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
