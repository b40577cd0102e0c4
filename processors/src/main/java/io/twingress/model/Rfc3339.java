package io.twingress.model;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Strict RFC 3339 dates and times: DTDL's {@code date} (full-date), {@code dateTime} (date-time) and {@code time}
 * (partial-time) values, and ADT's {@code sourceTime}. Stored text must be readable by every client SDK, so it is
 * narrower than java.time's lenient ISO parsers:
 * <ul>
 * <li>years are four digits, 0001 to 9999 (.NET and Python have no year 0), also once converted to UTC;</li>
 * <li>seconds are required; {@code :60} (a leap second) is accepted, in a date-time only at 23:59:60 UTC;</li>
 * <li>at most nine fractional digits (nanoseconds), after a '.';</li>
 * <li>an upper-case 'T' and 'Z'; an offset is {@code Z} or {@code ±hh:mm} within ±14:00, as .NET's
 * DateTimeOffset requires.</li>
 * </ul>
 * Every method throws {@link IllegalArgumentException} whose message says what to fix, to be wrapped by the caller
 * in the error that fits where the text came from.
 */
public final class Rfc3339 {

    private static final String DATE = "(\\d{4})-(\\d{2})-(\\d{2})";
    private static final String TIME = "(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d+))?";
    private static final Pattern FULL_DATE = Pattern.compile(DATE);
    private static final Pattern PARTIAL_TIME = Pattern.compile(TIME);
    private static final Pattern DATE_TIME = Pattern.compile(DATE + "T" + TIME + "(Z|([+-])(\\d{2}):(\\d{2}))");
    /** Shapes that are close to a date-time but wrong in one way that deserves its own message. */
    private static final Pattern OTHER_YEAR = Pattern.compile("([+-]\\d+|\\d{5,}|\\d{1,3})-.*");
    private static final Pattern NO_SECONDS = Pattern.compile(DATE + "T\\d{2}:\\d{2}(Z|[+-]\\d{2}:\\d{2})?");
    private static final Pattern NO_OFFSET = Pattern.compile(DATE + "T" + TIME);

    private static final int MAX_FRACTION_DIGITS = 9;
    private static final int MAX_OFFSET_MINUTES = 14 * 60;

    private static final String DATE_TIME_FORM = "write it as yyyy-MM-ddThh:mm:ss, optionally with a fraction of"
            + " a second, and Z or an offset such as +02:00, e.g. 2024-05-01T12:30:00Z";

    private Rfc3339() {
    }

    /**
     * Checks an RFC 3339 date-time and returns the instant it names in UTC, as {@link Instant#toString()} writes
     * it (e.g. {@code 2024-05-01T14:00:00+02:00} gives {@code 2024-05-01T12:00:00Z}); a leap second keeps its
     * {@code :60}, which {@link Instant#parse} reads back.
     */
    public static String toInstant(String text) {
        Matcher m = DATE_TIME.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException(dateTimeShapeProblem(text));
        }
        LocalDate date = date(m.group(1), m.group(2), m.group(3));
        int second = timeOfDay(m.group(4), m.group(5), m.group(6), m.group(7));
        ZoneOffset offset = offset(m.group(8), m.group(9), m.group(10), m.group(11));
        boolean leap = second == 60;
        LocalDateTime local = date.atTime(Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
                leap ? 59 : second, nanos(m.group(7)));
        ZonedDateTime utc = local.atOffset(offset).atZoneSameInstant(ZoneOffset.UTC);
        if (utc.getYear() < 1 || utc.getYear() > 9999) {
            throw new IllegalArgumentException("in UTC it falls outside the years 0001 to 9999");
        }
        if (leap && (utc.getHour() != 23 || utc.getMinute() != 59)) {
            throw new IllegalArgumentException("a leap second (:60) only exists at 23:59:60 UTC");
        }
        String instant = utc.toInstant().toString();
        // Instant's text is yyyy-MM-ddThh:mm:ss... for these years, so the seconds are at 17 and 18
        return leap ? instant.substring(0, 17) + "60" + instant.substring(19) : instant;
    }

    /** Checks an RFC 3339 full-date, e.g. {@code 2024-02-29}. */
    public static void checkDate(String text) {
        Matcher m = FULL_DATE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException(OTHER_YEAR.matcher(text).matches() ? yearProblem()
                    : "write it as yyyy-MM-dd, e.g. 2024-05-01");
        }
        date(m.group(1), m.group(2), m.group(3));
    }

    /** Checks an RFC 3339 partial-time (no offset), e.g. {@code 08:15:00.250}. */
    public static void checkTime(String text) {
        Matcher m = PARTIAL_TIME.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException(text.matches("\\d{2}:\\d{2}") ? "the seconds are missing, e.g. "
                    + text + ":00" : "write it as hh:mm:ss, optionally with a fraction of a second, e.g. 08:15:00.250");
        }
        timeOfDay(m.group(1), m.group(2), m.group(3), m.group(4));
    }

    private static String dateTimeShapeProblem(String text) {
        if (OTHER_YEAR.matcher(text).matches()) {
            return yearProblem();
        }
        if (NO_SECONDS.matcher(text).matches()) {
            return "the seconds are missing (hh:mm:ss)";
        }
        String upperCase = text.toUpperCase(Locale.ROOT).replace(' ', 'T');
        if (!upperCase.equals(text) && (DATE_TIME.matcher(upperCase).matches()
                || NO_SECONDS.matcher(upperCase).matches())) {
            return "separate date and time with an upper-case T and write UTC as an upper-case Z";
        }
        if (NO_OFFSET.matcher(text).matches()) {
            return "the offset is missing: end it with Z for UTC or an offset such as +02:00";
        }
        return DATE_TIME_FORM;
    }

    private static String yearProblem() {
        return "the year must be four digits, 0001 to 9999";
    }

    private static LocalDate date(String year, String month, String day) {
        int y = Integer.parseInt(year);
        if (y < 1) {
            throw new IllegalArgumentException(yearProblem());
        }
        try {
            return LocalDate.of(y, Integer.parseInt(month), Integer.parseInt(day));
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(year + "-" + month + "-" + day + " is not a day of the calendar");
        }
    }

    /** @return the seconds, 0 to 60 */
    private static int timeOfDay(String hour, String minute, String second, String fraction) {
        int h = Integer.parseInt(hour);
        int m = Integer.parseInt(minute);
        int s = Integer.parseInt(second);
        if (h > 23 || m > 59 || s > 60) {
            throw new IllegalArgumentException("hours are 00 to 23, minutes 00 to 59 and seconds 00 to 59"
                    + " (60 for a leap second)");
        }
        if (fraction != null && fraction.length() > MAX_FRACTION_DIGITS) {
            throw new IllegalArgumentException("a fraction of a second has at most " + MAX_FRACTION_DIGITS
                    + " digits (nanoseconds)");
        }
        return s;
    }

    private static int nanos(String fraction) {
        return fraction == null ? 0 : Integer.parseInt((fraction + "00000000").substring(0, MAX_FRACTION_DIGITS));
    }

    private static ZoneOffset offset(String whole, String sign, String hours, String minutes) {
        if (whole.equals("Z")) {
            return ZoneOffset.UTC;
        }
        int h = Integer.parseInt(hours);
        int m = Integer.parseInt(minutes);
        if (m > 59 || h * 60 + m > MAX_OFFSET_MINUTES) {
            throw new IllegalArgumentException("the offset " + whole + " is not between -14:00 and +14:00");
        }
        int seconds = (h * 3600 + m * 60) * (sign.equals("-") ? -1 : 1);
        return ZoneOffset.ofTotalSeconds(seconds);
    }
}
