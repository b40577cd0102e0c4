package io.twingress.routes;

import static io.twingress.routes.ChildTwingress.send;
import static io.twingress.routes.ChildTwingress.start;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.twingress.Json;
import io.twingress.routes.testing.HttpReceiver;

/**
 * At least once across a crash: the application runs in its own JVM, 8 clients patch twins, the process is killed
 * with SIGKILL (kill -9) mid-stream, and after a restart on the same store every change a client saw acknowledged
 * reaches the webhook endpoint.
 */
class EgressCrashIT {

    static final String V = "api-version=2023-10-31";
    static final String MODEL = "dtmi:crash:Gauge;1";
    static final int CLIENTS = 8;

    @Test
    void everyAcknowledgedChangeIsDeliveredAfterAKill9() throws Exception {
        Path dir = Files.createTempDirectory("twingress-egress-crash");
        int port = TwingressServer.freePort();
        String base = "http://127.0.0.1:" + port;
        Map<String, String> env = Map.of(
                "CAMEL_SERVER_PORT", Integer.toString(port),
                "CAMEL_MANAGEMENT_PORT", Integer.toString(TwingressServer.freePort()),
                "TWINGRESS_DATA_DIR", dir.resolve("data").toString(),
                "TWINGRESS_ROUTES_DIR", dir.resolve("routes").toString(),
                "TWINGRESS_INSTANCE_ID", "crash-it",
                "TWINGRESS_EGRESS_POLLPERIOD", "20");
        try (HttpReceiver receiver = HttpReceiver.open()) {
            Process app = start(env, dir.resolve("first.log"), base);
            Map<String, Set<Integer>> acknowledged = new ConcurrentHashMap<>();
            try {
                assertThat(send(base, "POST", "/models?" + V, "[{\"@id\":\"" + MODEL + "\",\"@type\":\"Interface\","
                        + "\"@context\":\"dtmi:dtdl:context;3\",\"contents\":[{\"@type\":\"Property\","
                        + "\"name\":\"level\",\"schema\":\"integer\"}]}]").statusCode()).isEqualTo(201);
                assertThat(send(base, "PUT", "/endpoints/crash-hook?" + V, "{\"properties\":{\"endpointType\":"
                        + "\"Webhook\",\"url\":\"" + receiver.url() + "\"}}").statusCode()).isEqualTo(200);
                assertThat(send(base, "PUT", "/eventroutes/crash-updates?" + V, "{\"endpointName\":\"crash-hook\","
                        + "\"filter\":\"type = 'Microsoft.DigitalTwins.Twin.Update'\"}").statusCode()).isEqualTo(204);
                for (int c = 0; c < CLIENTS; c++) {
                    assertThat(send(base, "PUT", "/digitaltwins/gauge-" + c + "?" + V, "{\"$metadata\":{\"$model\":\""
                            + MODEL + "\"},\"level\":0}").statusCode()).isEqualTo(200);
                    acknowledged.put("gauge-" + c, ConcurrentHashMap.newKeySet());
                }
                AtomicBoolean crashed = new AtomicBoolean();
                List<Thread> clients = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    String twin = "gauge-" + c;
                    Thread client = new Thread(() -> {
                        for (int value = 1; !crashed.get(); value++) {
                            try {
                                HttpResponse<String> r = send(base, "PATCH", "/digitaltwins/" + twin + "?" + V,
                                        "[{\"op\":\"replace\",\"path\":\"/level\",\"value\":" + value + "}]");
                                if (r.statusCode() == 204) {
                                    acknowledged.get(twin).add(value);
                                }
                            } catch (Exception e) {
                                return;
                            }
                        }
                    });
                    client.start();
                    clients.add(client);
                }
                Thread.sleep(2000);
                app.destroyForcibly();
                assertThat(app.waitFor()).as("killed with SIGKILL").isEqualTo(137);
                crashed.set(true);
                for (Thread client : clients) {
                    client.join();
                }
            } finally {
                app.destroyForcibly();
            }
            int total = acknowledged.values().stream().mapToInt(Set::size).sum();
            assertThat(total).as("clients wrote before the kill").isGreaterThan(CLIENTS * 5);

            Process again = start(env, dir.resolve("second.log"), base);
            try {
                Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
                Map<String, Set<Integer>> missing = missing(acknowledged, receiver);
                while (!missing.isEmpty() && Instant.now().isBefore(deadline)) {
                    Thread.sleep(200);
                    missing = missing(acknowledged, receiver);
                }
                assertThat(missing).as("acknowledged changes never delivered, of %d", total).isEmpty();
            } finally {
                again.destroy();
                again.waitFor();
            }
        }
    }

    /** The acknowledged values whose update event the receiver has not had. */
    private static Map<String, Set<Integer>> missing(Map<String, Set<Integer>> acknowledged, HttpReceiver receiver) {
        Map<String, Set<Integer>> seen = new ConcurrentHashMap<>();
        for (HttpReceiver.Request request : receiver.requests()) {
            JsonNode patch = Json.parse(request.bodyAsString()).get("patch");
            seen.computeIfAbsent(request.header("ce-subject"), t -> new HashSet<>()).add(patch.get(0).get("value")
                    .asInt());
        }
        Map<String, Set<Integer>> missing = new ConcurrentHashMap<>();
        acknowledged.forEach((twin, values) -> {
            Set<Integer> left = new HashSet<>(values);
            left.removeAll(seen.getOrDefault(twin, Set.of()));
            if (!left.isEmpty()) {
                missing.put(twin, left);
            }
        });
        return missing;
    }

}
