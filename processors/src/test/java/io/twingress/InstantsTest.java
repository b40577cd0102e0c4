package io.twingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class InstantsTest {

    private static final long FIRST = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    private static final long YEAR_1 = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
    private static final long LAST = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    private static final DateTimeFormatter NANOS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** Instants over the four-digit years, with a fraction of each granularity Instant.toString writes, and edges. */
    private static List<Instant> instants() {
        SplittableRandom random = new SplittableRandom(20261202);
        List<Instant> out = new ArrayList<>(List.of(Instant.EPOCH, Instant.ofEpochSecond(FIRST),
                Instant.ofEpochSecond(LAST, 999_999_999), Instant.parse("2024-02-29T23:59:59.999Z"),
                Instant.parse("1969-12-31T23:59:59.000000001Z"), Instant.parse("2000-03-01T00:00:00.5Z")));
        for (int i = 0; i < 20_000; i++) {
            long second = random.nextLong(FIRST, LAST + 1);
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            out.add(Instant.ofEpochSecond(second, nanos));
        }
        return out;
    }

    @Test
    void formatWritesWhatInstantToStringWrites() {
        for (Instant instant : instants()) {
            assertThat(Instants.format(instant)).isEqualTo(instant.toString());
        }
        for (Instant beyond : List.of(Instant.MIN, Instant.MAX, Instant.ofEpochSecond(FIRST - 1),
                Instant.ofEpochSecond(LAST + 1))) {
            assertThat(Instants.format(beyond)).isEqualTo(beyond.toString());
        }
    }

    @Test
    void formatNanosWritesNineFractionalDigitsOrNothingBeyondTheYears0001To9999() {
        for (Instant instant : instants()) {
            if (instant.getEpochSecond() >= YEAR_1) {
                assertThat(Instants.formatNanos(instant)).isEqualTo(NANOS.format(instant));
            } else {
                assertThat(Instants.formatNanos(instant)).isNull();
            }
        }
        assertThat(Instants.formatNanos(Instant.ofEpochSecond(YEAR_1))).isEqualTo("0001-01-01T00:00:00.000000000Z");
        assertThat(Instants.formatNanos(Instant.ofEpochSecond(LAST + 1))).isNull();
    }

    @Test
    void parseReadsWhatOffsetDateTimeReads() {
        SplittableRandom random = new SplittableRandom(7);
        for (Instant instant : instants()) {
            String utc = instant.toString();
            assertThat(Instants.parse(utc)).isEqualTo(instant);
            // the same instant at another offset, with a fraction of one to nine digits
            int minutes = random.nextInt(-18 * 60, 18 * 60 + 1);
            OffsetDateTime shifted = instant.atOffset(ZoneOffset.ofTotalSeconds(minutes * 60));
            int digits = random.nextInt(1, 10);
            String text = shifted.format(DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss." + "S".repeat(digits)
                    + "xxx"));
            if (shifted.getYear() >= 0 && shifted.getYear() <= 9999) {
                assertThat(Instants.parse(text)).as(text).isEqualTo(OffsetDateTime.parse(text).toInstant());
            }
        }
    }

    @Test
    void aLeapSecondIsReadAsTheLastNanosecondOfTheSecondBeforeIt() {
        assertThat(Instants.parse("2016-12-31T23:59:60Z")).isEqualTo(Instant.parse("2016-12-31T23:59:59.999999999Z"));
        assertThat(Instants.parseOffsetDateTime("2017-01-01T00:59:60.5+01:00"))
                .isEqualTo(OffsetDateTime.parse("2017-01-01T00:59:59.999999999+01:00"));
        assertThatThrownBy(() -> Instants.parse("2016-12-31T23:59:60")).isInstanceOf(DateTimeParseException.class);
    }

    @Test
    void anyOtherShapeIsJavaTimesToReadOrRefuse() {
        // java.time reads these (seconds are optional, letters any case, years beyond four digits with a sign)
        for (String text : List.of("2024-01-01T10:15Z", "2024-01-01t10:15:30z", "+10000-01-01T00:00:00Z",
                "2024-01-01T10:15:30-00:00", "2024-01-01T10:15:30+18:00", "2024-06-30T23:59:59.1+01:00",
                "2024-01-01T00:00:00.Z")) {
            assertThat(Instants.parse(text)).as(text).isEqualTo(OffsetDateTime.parse(text).toInstant());
        }
        // and refuses these, as parse does
        for (String text : List.of("2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z",
                "2024-01-01T00:60:00Z", "2024-01-01T00:00:61Z", "2024-01-01T00:00:00.1234567890Z",
                "2024-01-01T00:00:00+18:30", "2024-01-01T00:00:00", "2024-01-01 00:00:00Z",
                "2024-1-01T00:00:00Z", "2024-01-01T00:00:00+0100", "abcd-01-01T00:00:00Z", "")) {
            assertThatThrownBy(() -> Instants.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
            assertThatThrownBy(() -> OffsetDateTime.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
        }
    }
}
