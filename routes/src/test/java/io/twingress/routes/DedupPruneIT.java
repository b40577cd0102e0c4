package io.twingress.routes;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The maintenance route forgets message ids after the retention, so a much later resend is delivered again. */
class DedupPruneIT {

    static final String V = "api-version=2023-10-31";

    @Test
    void aMessageIdIsForgottenAfterTheRetention() throws Exception {
        Path dir = Files.createTempDirectory("twingress-prune-it");
        TelemetryProbe probe = TelemetryProbe.install(dir);
        try (TwingressServer server = TwingressServer.start(dir, Map.of(
                "twingress.ingress.dedupRetention", "PT0.2S", "twingress.ingress.dedupPrunePeriod", "100"),
                probe::bind)) {
            HttpClient http = HttpClient.newHttpClient();
            assertThat(send(http, server, "/models?" + V, "POST", """
                    [{"@id":"dtmi:twingress:prune:Sensor;1","@type":"Interface","@context":"dtmi:dtdl:context;3",
                      "contents":[{"@type":"Telemetry","name":"temperature","schema":"double"}]}]""", null))
                    .isEqualTo(201);
            assertThat(send(http, server, "/digitaltwins/s1?" + V, "PUT",
                    "{\"$metadata\":{\"$model\":\"dtmi:twingress:prune:Sensor;1\"}}", null)).isEqualTo(200);

            assertThat(send(http, server, "/digitaltwins/s1/telemetry?" + V, "POST", "{\"temperature\":1}", "m1"))
                    .isEqualTo(204);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                assertThat(send(http, server, "/digitaltwins/s1/telemetry?" + V, "POST", "{\"temperature\":1}",
                        "m1")).isEqualTo(204);
                assertThat(probe.received()).filteredOn(m -> m.startsWith("m1 ")).hasSizeGreaterThanOrEqualTo(2);
            });
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
