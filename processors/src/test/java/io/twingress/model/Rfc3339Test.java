package io.twingress.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Instant;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Rfc3339Test {

    @ParameterizedTest(name = "{0} is the instant {1}")
    @CsvSource(delimiter = '|', value = {
            "2024-05-01T12:00:00Z                | 2024-05-01T12:00:00Z",
            "2024-05-01T14:00:00+02:00           | 2024-05-01T12:00:00Z",
            "2024-05-01T12:00:00-00:00           | 2024-05-01T12:00:00Z",
            "2024-05-01T02:00:00+14:00           | 2024-04-30T12:00:00Z",
            "2024-05-01T12:00:00.5Z              | 2024-05-01T12:00:00.500Z",
            "2024-05-01T12:00:00.123456789Z      | 2024-05-01T12:00:00.123456789Z",
            "2016-12-31T23:59:60Z                | 2016-12-31T23:59:60Z",
            "2017-01-01T00:59:60.25+01:00        | 2016-12-31T23:59:60.250Z",
            "0001-01-01T00:00:00Z                | 0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z      | 9999-12-31T23:59:59.999999999Z",
    })
    void dateTimesAreNormalizedToUtc(String text, String instant) {
        assertThat(Rfc3339.toInstant(text)).isEqualTo(instant);
        Instant.parse(instant);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "2024-01-01T10:00Z                   | the seconds are missing",
            "2024-01-01T10:00+01:00              | the seconds are missing",
            "2024-05-01T12:00:00                 | the offset is missing",
            "2024-05-01t12:00:00z                | upper-case T",
            "2024-05-01 12:00:00Z                | upper-case T",
            "0000-01-01T00:00:00Z                | 0001 to 9999",
            "10000-01-01T00:00:00Z               | 0001 to 9999",
            "+2024-01-01T00:00:00Z               | 0001 to 9999",
            "-0001-01-01T00:00:00Z               | 0001 to 9999",
            "0001-01-01T00:00:00+01:00           | in UTC it falls outside the years 0001 to 9999",
            "9999-12-31T23:00:00-05:00           | in UTC it falls outside the years 0001 to 9999",
            "2024-05-01T12:00:00.1234567890Z     | at most 9 digits",
            "2024-05-01T12:00:00+15:00           | between -14:00 and +14:00",
            "2024-05-01T12:00:00+01:60           | between -14:00 and +14:00",
            "2024-02-30T12:00:00Z                | 2024-02-30 is not a day of the calendar",
            "2024-05-01T24:00:00Z                | hours are 00 to 23",
            "2024-05-01T12:60:00Z                | minutes 00 to 59",
            "2024-05-01T12:30:60Z                | only exists at 23:59:60 UTC",
            "2016-12-31T23:59:60+01:00           | only exists at 23:59:60 UTC",
            "2024-05-01T12:00:00.Z               | yyyy-MM-ddThh:mm:ss",
            "yesterday                           | yyyy-MM-ddThh:mm:ss",
            "2024-05-01T12:00:00+0200            | yyyy-MM-ddThh:mm:ss",
    })
    void refusesWhatIsNotAStrictRfc3339DateTime(String text, String reason) {
        assertThatIllegalArgumentException().isThrownBy(() -> Rfc3339.toInstant(text)).withMessageContaining(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-02-29", "0001-01-01", "9999-12-31"})
    void acceptsFullDates(String text) {
        Rfc3339.checkDate(text);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "0000-01-01     | 0001 to 9999",
            "10000-01-01    | 0001 to 9999",
            "+2024-01-01    | 0001 to 9999",
            "2023-02-29     | not a day of the calendar",
            "2024-5-1       | yyyy-MM-dd",
            "2024-05-01Z    | yyyy-MM-dd",
    })
    void refusesOtherDates(String text, String reason) {
        assertThatIllegalArgumentException().isThrownBy(() -> Rfc3339.checkDate(text)).withMessageContaining(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"00:00:00", "23:59:59", "23:59:60", "08:15:00.250", "12:00:00.123456789"})
    void acceptsPartialTimes(String text) {
        Rfc3339.checkTime(text);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "08:15                | the seconds are missing",
            "24:00:00             | hours are 00 to 23",
            "12:00:61             | seconds 00 to 59",
            "12:00:00.1234567890  | at most 9 digits",
            "8:15:00              | hh:mm:ss",
    })
    void refusesOtherTimes(String text, String reason) {
        assertThatIllegalArgumentException().isThrownBy(() -> Rfc3339.checkTime(text)).withMessageContaining(reason);
    }
}
