package io.twingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.math.BigDecimal;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @ParameterizedTest
    @ValueSource(strings = {"{} {}", "{}{}", "[] []", "{\"a\":1}\n{\"a\":2}", "1 2", "\"a\" \"b\""})
    void aSecondDocumentAfterTheFirstIsRefused(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> Json.parse(text))
                .withMessageMatching("more text follows the JSON document \\(at line \\d+, column \\d+\\); send exactly"
                        + " one JSON value");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[] x", "{} ,", "{}]", "[1] null x"})
    void otherTextAfterTheDocumentIsRefused(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> Json.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\": 1", "[{\"a\": 1}", "{\"a\": tru}", "{\"a\": \"b"})
    void malformedTextIsRefusedWithWhereItStoppedAndNothingAboutTheParser(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> Json.parse(text))
                .withMessageMatching(".* \\(at line 1, column \\d+\\)")
                .withMessageNotContaining("Source")
                .withMessageNotContaining("StreamReadFeature");
    }

    @Test
    void whitespaceAfterTheDocumentIsFine() {
        assertThat(Json.parse(" {\"a\":[1]} \r\n\t ")).isEqualTo(Json.object().set("a", Json.MAPPER.createArrayNode().add(1)));
    }

    @Test
    void numbersBeyondADoubleKeepTheirValue() {
        JsonNode node = Json.parse("{\"big\":1e400,\"small\":-1e400,\"long\":123456789012345678901234567890}");

        assertThat(node.get("big").isBigDecimal()).isTrue();
        assertThat(node.get("big").decimalValue()).isEqualByComparingTo(new BigDecimal("1e400"));
        assertThat(node.get("small").decimalValue()).isEqualByComparingTo(new BigDecimal("-1e400"));
        assertThat(node.get("long").bigIntegerValue()).hasToString("123456789012345678901234567890");
        assertThat(Json.parse(Json.write(node))).as("written and read back").isEqualTo(node);
    }

    /** Numbers are written back as clients write them: 60, not 6E+1; only a huge one keeps its exponent. */
    @Test
    void decimalsAreWrittenWithoutTrailingZerosOrAnExponentForWholeNumbers() {
        assertThat(Json.write(Json.parse("[60.0, 1e3, 1.50, 0.0, -2.500e2, 0.001, 1e20, 1e21, 1e400]")))
                .isEqualTo("[60,1000,1.5,0,-250,0.001,100000000000000000000,1E+21,1E+400]");
        assertThat(Json.write(Json.parse("1e2147483647"))).as("no overflow").isEqualTo("1E+2147483647");
        assertThat(Json.parse("60.0")).as("equal whatever form it came in").isEqualTo(Json.parse("6e1"));
        assertThat(Json.write(Json.MAPPER.getNodeFactory().numberNode(new BigDecimal("7.00")))).isEqualTo("7");
    }
}
