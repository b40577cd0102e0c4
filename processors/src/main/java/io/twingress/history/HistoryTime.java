package io.twingress.history;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import io.twingress.Instants;

/**
 * History times as stored: UTC with nine fraction digits, so that comparing the text compares the times (ISO text
 * with fractions of different lengths does not order as time: {@code .3Z} sorts after {@code .38Z}).
 */
public final class HistoryTime {

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private HistoryTime() {
    }

    public static String format(Instant instant) {
        String fast = Instants.formatNanos(instant);
        return fast != null ? fast : FORMAT.format(instant);
    }
}
