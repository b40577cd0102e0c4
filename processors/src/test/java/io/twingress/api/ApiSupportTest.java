package io.twingress.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import io.twingress.AdtError;
import io.twingress.AdtException;

class ApiSupportTest {

    private static final byte[] BODY = "[{\"op\":\"replace\",\"path\":\"/Temperature\",\"value\":21.5}]"
            .getBytes(StandardCharsets.UTF_8);

    @Test
    void readsAStreamThatSaysAllIsAvailable() throws IOException {
        assertThat(ApiSupport.readWhole(new ByteArrayInputStream(BODY))).isEqualTo(BODY);
    }

    @Test
    void readsAStreamThatSaysNothingIsAvailable() throws IOException {
        InputStream silent = new FilterInputStream(new ByteArrayInputStream(BODY)) {
            @Override
            public int available() {
                return 0;
            }
        };
        assertThat(ApiSupport.readWhole(silent)).isEqualTo(BODY);
    }

    @Test
    void readsPastWhatIsAvailableAtFirst() throws IOException {
        // a sequence says only its current part is available
        byte[] big = new byte[20_000];
        Arrays.fill(big, (byte) 'x');
        InputStream parts = new SequenceInputStream(new ByteArrayInputStream(BODY), new ByteArrayInputStream(big));
        byte[] read = ApiSupport.readWhole(parts);
        assertThat(read).hasSize(BODY.length + big.length);
        assertThat(Arrays.copyOf(read, BODY.length)).isEqualTo(BODY);
        assertThat(read[read.length - 1]).isEqualTo((byte) 'x');
    }

    @Test
    void readsAnEmptyStream() throws IOException {
        assertThat(ApiSupport.readWhole(new ByteArrayInputStream(new byte[0]))).isEmpty();
    }

    @Test
    void takesUtf8TextAsSentAndRefusesBytesThatAreNotUtf8() {
        String sent = "{\"s\":\"Zürich 😀\"}";
        assertThat(body(sent.getBytes(StandardCharsets.UTF_8)).path("s").asText()).isEqualTo("Zürich 😀");

        byte[] latin1 = "{\"s\":\"Zürich\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertAdtError(() -> body(latin1), "not valid UTF-8");
        byte[] encodedSurrogate = {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'};
        assertAdtError(() -> body(encodedSurrogate), "not valid UTF-8");
    }

    @Test
    void ignoresALeadingByteOrderMark() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] sent = "{\"s\":1}".getBytes(StandardCharsets.UTF_8);
        byte[] withBom = Arrays.copyOf(bom, bom.length + sent.length);
        System.arraycopy(sent, 0, withBom, bom.length, sent.length);
        assertThat(body(withBom).path("s").asInt()).isEqualTo(1);
    }

    @Test
    void refusesHalfASurrogatePairWrittenAsAnEscapeInAValueOrAName() {
        assertThat(body("{\"s\":\"\\ud83d\\ude00\",\"t\":\"\\u00fc\"}".getBytes(StandardCharsets.UTF_8))
                .path("s").asText()).isEqualTo("😀");
        assertAdtError(() -> body("{\"s\":\"ab\\ud800\"}".getBytes(StandardCharsets.UTF_8)), "\\ud800 alone");
        assertAdtError(() -> body("[{\"deep\":[\"\\udc00x\"]}]".getBytes(StandardCharsets.UTF_8)), "\\udc00 alone");
        assertAdtError(() -> body("{\"\\ud800\":1}".getBytes(StandardCharsets.UTF_8)), "\\ud800 alone");
    }

    @Test
    void aHeaderOrQueryParameterGivenTwiceCountsOnlyWithTheSameValue() {
        assertThat(request("/models?api-version=2023-10-31&api-version=2023-10-31", null)
                .query("api-version")).isEqualTo("2023-10-31");
        assertAdtError(() -> ApiSupport.requireApiVersion(exchange("/models?api-version=2023-10-31&api-version=x",
                null)), "query parameter api-version is given more than once, with different values");
        assertThat(request("/models", List.of("a", "a")).header("Message-Id")).isEqualTo("a");
        assertAdtError(() -> request("/models", List.of("a", "b")).header("Message-Id"),
                "header Message-Id is given more than once");
        // a trace context given twice differently is none, as Trace Context says, not a refused request
        Exchange traced = exchange("/models", null);
        traced.getMessage().setHeader("traceparent", List.of("00-a-b-01", "00-c-d-01"));
        assertThat(ApiRequest.of(traced).traceparent()).isNull();
        Exchange once = exchange("/models", null);
        once.getMessage().setHeader("traceparent", "00-a-b-01");
        assertThat(ApiRequest.of(once).traceparent()).isEqualTo("00-a-b-01");
    }

    @Test
    void aPageSizeBeyondAnIntIsThePageLimit() {
        Exchange exchange = exchange("/models", null);
        exchange.getMessage().setHeader("max-items-per-page", "2147483648");
        assertThat(ApiSupport.pageSize(exchange, 100)).isEqualTo(100);
        exchange = exchange("/models", null);
        exchange.getMessage().setHeader("max-items-per-page", " 007 ");
        assertThat(ApiSupport.pageSize(exchange, 100)).isEqualTo(7);
        for (String refused : List.of("0", "-1", "1.5", "", "x")) {
            Exchange bad = exchange("/models", null);
            bad.getMessage().setHeader("max-items-per-page", refused);
            assertAdtError(() -> ApiSupport.pageSize(bad, 100), "must be a positive integer");
        }
    }

    private static Exchange exchange(String uri, List<String> messageIds) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setHeader(Exchange.HTTP_URI, uri);
        if (messageIds != null) {
            exchange.getMessage().setHeader("Message-Id", messageIds);
        }
        return exchange;
    }

    private static ApiRequest request(String uri, List<String> messageIds) {
        return ApiRequest.of(exchange(uri, messageIds));
    }

    private static JsonNode body(byte[] bytes) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setHeader(Exchange.HTTP_URI, "/digitaltwins/t1");
        exchange.getMessage().setBody(new ByteArrayInputStream(bytes));
        return ApiSupport.optionalBody(exchange);
    }

    private static void assertAdtError(ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(AdtException.class, e -> {
            assertThat(e.error()).isEqualTo(AdtError.INVALID_ARGUMENT);
            assertThat(e.getMessage()).contains(message);
        });
    }
}
