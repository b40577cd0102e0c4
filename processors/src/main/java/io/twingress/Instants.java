package io.twingress;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.OffsetDateTime;
import java.time.Year;
import java.time.format.DateTimeParseException;

/**
 * Instants to and from RFC 3339 text, as the write path does several times per change (an event's time, a twin's
 * last update time, each history row's time stamps). The text and the results are java.time's; the common shapes are
 * written and read directly, which costs a fraction of java.time's formatters and parsers (in ingress they were a third
 * of the history feed's time and a twentieth of a consumer's). Anything else goes to java.time itself.
 */
public final class Instants {

    private static final long SECONDS_PER_DAY = 86_400;
    /** 0000-01-01 and 9999-12-31 as epoch days: the years java.time writes with four digits and no sign. */
    private static final long FIRST_DAY = LocalDate.of(0, 1, 1).toEpochDay();
    /** 0001-01-01: year-of-era formatters write the year 0 as 0001 (1 BC). */
    private static final long YEAR_1_DAY = LocalDate.of(1, 1, 1).toEpochDay();
    private static final long LAST_DAY = LocalDate.of(9999, 12, 31).toEpochDay();
    private static final int[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000,
        100_000_000, 1_000_000_000};

    private Instants() {
    }

    /** The same text as {@link Instant#toString()}: a fraction of a second in groups of three digits, if any. */
    public static String format(Instant instant) {
        int nanos = instant.getNano();
        int digits = nanos == 0 ? 0 : nanos % 1_000_000 == 0 ? 3 : nanos % 1_000 == 0 ? 6 : 9;
        String text = write(instant, digits, FIRST_DAY);
        return text != null ? text : instant.toString();
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss.SSSSSSSSSZ}, always nine fractional digits (the data history's time stamps, which
     * order as text), or null for a year outside 0001 to 9999.
     */
    public static String formatNanos(Instant instant) {
        return write(instant, 9, YEAR_1_DAY);
    }

    private static String write(Instant instant, int fractionDigits, long firstDay) {
        long seconds = instant.getEpochSecond();
        long day = Math.floorDiv(seconds, SECONDS_PER_DAY);
        if (day < firstDay || day > LAST_DAY) {
            return null;
        }
        int secondOfDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);
        LocalDate date = LocalDate.ofEpochDay(day);
        byte[] text = new byte[fractionDigits == 0 ? 20 : 21 + fractionDigits];
        digits(text, 0, date.getYear(), 4);
        text[4] = '-';
        digits(text, 5, date.getMonthValue(), 2);
        text[7] = '-';
        digits(text, 8, date.getDayOfMonth(), 2);
        text[10] = 'T';
        digits(text, 11, secondOfDay / 3600, 2);
        text[13] = ':';
        digits(text, 14, secondOfDay / 60 % 60, 2);
        text[16] = ':';
        digits(text, 17, secondOfDay % 60, 2);
        if (fractionDigits > 0) {
            text[19] = '.';
            digits(text, 20, instant.getNano() / POWERS_OF_TEN[9 - fractionDigits], fractionDigits);
        }
        text[text.length - 1] = 'Z';
        return new String(text, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static void digits(byte[] text, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            text[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    /**
     * The instant {@link #parseOffsetDateTime} reads in {@code text}, with its exceptions: read directly when it is
     * {@code yyyy-MM-ddTHH:mm:ss}, an optional fraction of one to nine digits, and {@code Z} or {@code ±hh:mm}.
     */
    public static Instant parse(String text) {
        Instant common = parseCommon(text);
        return common != null ? common : parseOffsetDateTime(text).toInstant();
    }

    /**
     * What {@link OffsetDateTime#parse} reads in {@code text}, with its exceptions, and also a leap second, which
     * RFC 3339 allows (a sender may give one as a source time) and java.time has no value for: {@code hh:mm:60} is
     * read as the last nanosecond of {@code hh:mm:59}, so that it orders between that second and the next minute.
     */
    public static OffsetDateTime parseOffsetDateTime(String text) {
        try {
            return OffsetDateTime.parse(text);
        } catch (DateTimeParseException e) {
            if (text.length() > 19 && text.charAt(16) == ':' && text.startsWith("60", 17)) {
                return OffsetDateTime.parse(text.substring(0, 17) + "59" + text.substring(19)).withNano(999_999_999);
            }
            throw e;
        }
    }

    /** The common shape read directly, or null for anything else, valid or not, which java.time then reads. */
    private static Instant parseCommon(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return null;
        }
        int year = number(s, 0, 4);
        int month = number(s, 5, 2);
        int day = number(s, 8, 2);
        int hour = number(s, 11, 2);
        int minute = number(s, 14, 2);
        int second = number(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > Month.of(month).length(Year.isLeap(year))
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int at = 19;
        int nanos = 0;
        if (s.charAt(at) == '.') {
            int start = ++at;
            while (at < n && at - start < 10 && s.charAt(at) >= '0' && s.charAt(at) <= '9') {
                at++;
            }
            int digits = at - start;
            if (digits == 0 || digits > 9) {
                return null;
            }
            nanos = number(s, start, digits) * POWERS_OF_TEN[9 - digits];
        }
        int offsetSeconds;
        if (at == n - 1 && s.charAt(at) == 'Z') {
            offsetSeconds = 0;
        } else if (at == n - 6 && (s.charAt(at) == '+' || s.charAt(at) == '-') && s.charAt(at + 3) == ':') {
            int hours = number(s, at + 1, 2);
            int minutes = number(s, at + 4, 2);
            if (hours < 0 || minutes < 0 || minutes > 59 || hours > 18 || hours == 18 && minutes > 0) {
                return null;
            }
            offsetSeconds = (s.charAt(at) == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
        } else {
            return null;
        }
        long epochSecond = LocalDate.of(year, month, day).toEpochDay() * SECONDS_PER_DAY + hour * 3600L
                + minute * 60L + second - offsetSeconds;
        return Instant.ofEpochSecond(epochSecond, nanos);
    }

    /** The decimal number in {@code s} from {@code at}, {@code width} digits; -1 if one is not a digit. */
    private static int number(String s, int at, int width) {
        int value = 0;
        for (int i = at; i < at + width; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
