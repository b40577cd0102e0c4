package io.twingress.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IngressMessageTest {

    private final CamelContext camel = started();

    private static CamelContext started() {
        CamelContext context = new DefaultCamelContext();
        context.start();
        return context;
    }

    @AfterEach
    void close() throws Exception {
        camel.close();
    }

    @Test
    void readsEveryEnvelopeHeaderAndRoundTripsThroughWriteTo() {
        IngressMessage sent = new IngressMessage("kafka:t", "t-0-7", "dev-1", "2026-12-02T08:00:00Z",
                "2026-12-02T07:59:59.5Z", "application/json", "base64", "e30=".getBytes(StandardCharsets.US_ASCII));
        Exchange e = new DefaultExchange(camel);
        e.getMessage().setHeader("kafka.TOPIC", "t");
        e.getMessage().setHeader("TwingressIngressOther", "not part of the envelope");
        sent.writeTo(e.getMessage());

        IngressMessage read = IngressMessage.of(e);

        assertThat(read.source()).isEqualTo("kafka:t");
        assertThat(read.messageId()).isEqualTo("t-0-7");
        assertThat(read.deviceId()).isEqualTo("dev-1");
        assertThat(read.enqueuedTime()).isEqualTo("2026-12-02T08:00:00Z");
        assertThat(read.sourceTime()).isEqualTo("2026-12-02T07:59:59.5Z");
        assertThat(read.contentType()).isEqualTo("application/json");
        assertThat(read.contentEncoding()).isEqualTo("base64");
        assertThat(read.body()).isEqualTo(sent.body());
    }

    @Test
    void matchesNamesIgnoringCaseAndConvertsValuesThatAreNotText() {
        Exchange e = new DefaultExchange(camel);
        // a user's route may spell the names in any case and set numbers, as Camel's own getHeader allows
        e.getMessage().setHeader("twingressingressdeviceid", 42);
        e.getMessage().setHeader("TWINGRESSINGRESSMESSAGEID", 7L);
        e.getMessage().setBody("{}");

        IngressMessage read = IngressMessage.of(e);

        assertThat(read.deviceId()).isEqualTo("42");
        assertThat(read.messageId()).isEqualTo("7");
        assertThat(read.source()).isEqualTo("unknown");
        assertThat(read.sourceTime()).isNull();
        assertThat(new String(read.body(), StandardCharsets.UTF_8)).isEqualTo("{}");
    }

    @Test
    void aMessageWithNoBodyHasAnEmptyOne() {
        Exchange e = new DefaultExchange(camel);
        e.getMessage().setHeader(IngressHeaders.DEVICE_ID, "d");

        assertThat(IngressMessage.of(e).body()).isEmpty();
        assertThat(IngressMessage.of(e).deviceId()).isEqualTo("d");
    }

    @Test
    void aPayloadThatIsNotUtf8OrHoldsHalfASurrogatePairIsRefusedNotAltered() {
        assertThat(sent("{\"Label\":\"Zürich\"}".getBytes(StandardCharsets.UTF_8)).payload().path("Label").asText())
                .isEqualTo("Zürich");
        assertThatThrownBy(() -> sent("{\"Label\":\"Zürich\"}".getBytes(StandardCharsets.ISO_8859_1)).payload())
                .isInstanceOf(IngressRefusal.class).hasMessageContaining("not UTF-8");
        assertThatThrownBy(() -> sent("{\"Label\":\"\\udfff\"}".getBytes(StandardCharsets.UTF_8)).payload())
                .isInstanceOf(IngressRefusal.class).hasMessageContaining("\\udfff alone");
    }

    private static IngressMessage sent(byte[] body) {
        return new IngressMessage("http:devices", "m-1", "d", null, null, null, null, body);
    }
}
