package io.twingress.model;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DTDL's {@code duration}: an ISO 8601 duration such as {@code P1Y2M3DT4H5M6.5S} or {@code P1W}, checked by
 * its grammar rather than by java.time, whose {@code Period} and {@code Duration} parsers accept signs inside
 * (P-1D) and overflow to an {@link ArithmeticException} on large numbers (P999999999W).
 * <p>
 * What is accepted: upper-case designators in the order Y M W D, then T and H M S; at least one part, and at least
 * one after a T; whole numbers, except the seconds, which may have up to nine fractional digits after a '.'; an
 * optional leading '-' for the whole duration (as XML Schema, java.time and Python's isodate read it). So that every
 * client can hold the value, years and months are at most 999,999,999 each, and weeks, days, hours, minutes and
 * seconds together at most 999,999,999 days (Python's timedelta limit; it also fits java.time).
 */
public final class IsoDuration {

    private static final Pattern GRAMMAR = Pattern.compile(
            "-?P(?:(\\d+)Y)?(?:(\\d+)M)?(?:(\\d+)W)?(?:(\\d+)D)?(T(?:(\\d+)H)?(?:(\\d+)M)?(?:(\\d+)(?:\\.(\\d+))?S)?)?");
    private static final BigDecimal MAX = BigDecimal.valueOf(999_999_999);
    private static final BigDecimal SECONDS_PER_DAY = BigDecimal.valueOf(86_400);
    private static final int MAX_FRACTION_DIGITS = 9;
    private static final String FORM = "an ISO 8601 duration is written like P1Y2M3DT4H5M6.5S or P1W";

    private IsoDuration() {
    }

    /** @return null when {@code text} is a duration as described above, else what to fix */
    public static String problem(String text) {
        Matcher m = GRAMMAR.matcher(text);
        if (!m.matches()) {
            return shapeProblem(text);
        }
        boolean any = false;
        for (int group : new int[] {1, 2, 3, 4, 6, 7, 8}) {
            any |= m.group(group) != null;
        }
        if (!any) {
            return "it has no parts: " + FORM;
        }
        if (m.group(5) != null && m.group(6) == null && m.group(7) == null && m.group(8) == null) {
            return "a T must be followed by hours, minutes or seconds, e.g. PT30M";
        }
        if (m.group(9) != null && m.group(9).length() > MAX_FRACTION_DIGITS) {
            return "a fraction of a second has at most " + MAX_FRACTION_DIGITS + " digits";
        }
        if (number(m.group(1)).compareTo(MAX) > 0 || number(m.group(2)).compareTo(MAX) > 0) {
            return "years and months are at most 999999999 each";
        }
        BigDecimal seconds = number(m.group(6)).multiply(BigDecimal.valueOf(3600))
                .add(number(m.group(7)).multiply(BigDecimal.valueOf(60)))
                .add(number(m.group(8)));
        BigDecimal days = number(m.group(3)).multiply(BigDecimal.valueOf(7)).add(number(m.group(4)))
                .add(seconds.divide(SECONDS_PER_DAY, 9, RoundingMode.CEILING));
        if (days.compareTo(MAX) > 0) {
            return "weeks, days, hours, minutes and seconds together are at most 999999999 days";
        }
        return null;
    }

    private static String shapeProblem(String text) {
        if (text.matches("[+-]?[pP].*") && !text.equals(text.toUpperCase(Locale.ROOT))) {
            return "the letters are upper-case: " + FORM;
        }
        if (text.matches("-?P.*[+-].*")) {
            return "the numbers in a duration have no sign; only the whole duration may start with '-'";
        }
        if (text.matches("-?P.*\\d,\\d.*")) {
            return "a fraction of a second is written with '.', e.g. PT0.5S";
        }
        if (text.matches("-?P.*\\.\\d*[YMWDH].*") || text.matches("-?P.*T.*\\.\\d*M.*")) {
            return "only the seconds may have a fraction, e.g. PT1.5S rather than PT0.025M";
        }
        if (text.matches("-?P[^T]*[HS].*")) {
            return "hours, minutes and seconds come after a T, e.g. P1DT2H";
        }
        return FORM;
    }

    private static BigDecimal number(String digits) {
        return digits == null ? BigDecimal.ZERO : new BigDecimal(digits);
    }
}
