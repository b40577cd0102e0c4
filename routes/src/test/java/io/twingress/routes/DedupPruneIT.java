package io.twingress.routes;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The maintenance route forgets message ids after the retention: a resend within it is suppressed, a later one is
 * delivered again.
 */
class DedupPruneIT {

    static final String V = "api-version=2023-10-31";

    @Test
    void aResentIdIsSuppressedWithinTheRetentionAndDeliveredAfterIt() throws Exception {
        Path dir = Files.createTempDirectory("twingress-prune-it");
        TelemetryProbe probe = TelemetryProbe.install(dir);
        // long enough that the immediate resend below falls inside it, short enough to wait out
        Duration retention = Duration.ofSeconds(3);
        try (TwingressServer server = TwingressServer.start(dir, Map.of(
                "twingress.ingress.dedupRetention", retention.toString(), "twingress.ingress.dedupPrunePeriod", "100"),
                probe::bind)) {
            HttpClient http = HttpClient.newHttpClient();
            assertThat(send(http, server, "/models?" + V, "POST", """
                    [{"@id":"dtmi:twingress:prune:Sensor;1","@type":"Interface","@context":"dtmi:dtdl:context;3",
                      "contents":[{"@type":"Telemetry","name":"temperature","schema":"double"}]}]""", null))
                    .isEqualTo(201);
            assertThat(send(http, server, "/digitaltwins/s1?" + V, "PUT",
                    "{\"$metadata\":{\"$model\":\"dtmi:twingress:prune:Sensor;1\"}}", null)).isEqualTo(200);

            // the store stamps ids in whole milliseconds
            Instant firstSent = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            assertThat(send(http, server, "/digitaltwins/s1/telemetry?" + V, "POST", "{\"temperature\":1}", "m1"))
                    .isEqualTo(204);
            assertThat(send(http, server, "/digitaltwins/s1/telemetry?" + V, "POST", "{\"temperature\":2}", "m1"))
                    .isEqualTo(204);
            assertThat(probe.received()).as("the resend within the retention is suppressed")
                    .containsExactly("m1 {\"temperature\":1}");

            AtomicReference<Instant> delivered = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                assertThat(send(http, server, "/digitaltwins/s1/telemetry?" + V, "POST", "{\"temperature\":3}",
                        "m1")).isEqualTo(204);
                delivered.set(Instant.now());
                assertThat(probe.received()).as("the resend after the retention is delivered")
                        .containsExactly("m1 {\"temperature\":1}", "m1 {\"temperature\":3}");
            });
            assertThat(Duration.between(firstSent, delivered.get())).as("delivered again only after the retention")
                    .isGreaterThanOrEqualTo(retention);
        }
    }

    private static int send(HttpClient http, TwingressServer server, String path, String method, String body,
            String messageId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        if (messageId != null) {
            request.header("Message-Id", messageId);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
