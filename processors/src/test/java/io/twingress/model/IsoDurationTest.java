package io.twingress.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IsoDurationTest {

    @ParameterizedTest
    @ValueSource(strings = {"P1W", "PT0.5S", "P1D", "PT0S", "P1Y2M3W4DT5H6M7.123456789S", "P1DT2H", "PT36H",
            "-P1D", "P999999999Y", "P999999999M", "P999999999D", "P142857142W", "PT23999999976H"})
    void acceptsIso8601Durations(String text) {
        assertThat(IsoDuration.problem(text)).isNull();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "p1d                 | upper-case",
            "P1d                 | upper-case",
            "P-1D                | no sign",
            "PT-1H               | no sign",
            "P+1D                | no sign",
            "P999999999W         | at most 999999999 days",
            "P999999999DT24H     | at most 999999999 days",
            "PT86400000000000S   | at most 999999999 days",
            "P1000000000Y        | years and months are at most 999999999",
            "PT0,5S              | written with '.'",
            "P0.5D               | only the seconds may have a fraction",
            "PT0.5M              | only the seconds may have a fraction",
            "PT1.1234567890S     | at most 9 digits",
            "P1DT                | a T must be followed",
            "P                   | no parts",
            "PT                  | no parts",
            "P2H                 | after a T",
            "P1D2Y               | P1Y2M3DT4H5M6.5S",
            "+P1D                | P1Y2M3DT4H5M6.5S",
            "1 day               | P1Y2M3DT4H5M6.5S",
    })
    void refusesOtherText(String text, String reason) {
        assertThat(IsoDuration.problem(text)).contains(reason);
    }

    @Test
    void aHugeNumberIsAProblemNotAnOverflow() {
        assertThat(IsoDuration.problem("P" + "9".repeat(400) + "W")).contains("999999999 days");
        assertThat(IsoDuration.problem("PT" + "9".repeat(400) + "S")).contains("999999999 days");
    }
}
