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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.twingress.routes.testing.HttpReceiver;
import io.twingress.store.SharedPostgres;

/**
 * Two instances on one PostgreSQL share the outbox: clients write through both at once, each endpoint is delivered
 * by one instance at a time (so, with nothing failing, every event arrives exactly once, none skipped although
 * transactions commit out of order), and when the instance holding the endpoint is killed with SIGKILL, the other
 * takes it over once the lease runs out and nothing acknowledged is stranded.
 */
class EgressPostgresIT {

    static final String V = "api-version=2023-10-31";
    static final String MODEL = "dtmi:shared:Meter;1";

    @Test
    void twoInstancesShareTheOutboxAndTheSurvivorTakesOverTheDeadOnesEndpoint() throws Exception {
        Path dir = Files.createTempDirectory("twingress-egress-pg");
        String url = SharedPostgres.createDatabase();
        int childPort = TwingressServer.freePort();
        String child = "http://127.0.0.1:" + childPort;
        Map<String, String> env = new HashMap<>(Map.of(
                "CAMEL_SERVER_PORT", Integer.toString(childPort),
                "CAMEL_MANAGEMENT_PORT", Integer.toString(TwingressServer.freePort()),
                "TWINGRESS_DATA_DIR", dir.resolve("child").toString(),
                "TWINGRESS_ROUTES_DIR", dir.resolve("child-routes").toString(),
                "TWINGRESS_STORE_TYPE", "postgresql",
                "TWINGRESS_STORE_POSTGRESQL_URL", url,
                "TWINGRESS_STORE_POSTGRESQL_USER", SharedPostgres.USER,
                "TWINGRESS_STORE_POSTGRESQL_PASSWORD", SharedPostgres.PASSWORD));
        env.putAll(Map.of("TWINGRESS_EGRESS_LEASE", "PT3S", "TWINGRESS_EGRESS_SYNCPERIOD", "500",
                "TWINGRESS_EGRESS_POLLPERIOD", "20", "TWINGRESS_INSTANCE_ID", "child"));
        try (HttpReceiver receiver = HttpReceiver.open()) {
            // the child starts first and creates the endpoint, so it takes the endpoint's lease
            Process first = start(env, dir.resolve("child.log"), child);
            TwingressServer second = null;
            try {
                assertThat(send(child, "POST", "/models?" + V, "[{\"@id\":\"" + MODEL + "\",\"@type\":\"Interface\","
                        + "\"@context\":\"dtmi:dtdl:context;3\",\"contents\":[{\"@type\":\"Property\",\"name\":\"n\","
                        + "\"schema\":\"integer\"}]}]").statusCode()).isEqualTo(201);
                assertThat(send(child, "PUT", "/endpoints/shared-hook?" + V, "{\"properties\":{\"endpointType\":"
                        + "\"Webhook\",\"url\":\"" + receiver.url() + "\"}}").statusCode()).isEqualTo(200);
                assertThat(send(child, "PUT", "/eventroutes/shared-all?" + V, "{\"endpointName\":\"shared-hook\","
                        + "\"filter\":\"true\"}").statusCode()).isEqualTo(204);
                Thread.sleep(300);
                second = TwingressServer.start(dir.resolve("second"), Map.of(
                        "twingress.store.type", "postgresql",
                        "twingress.store.postgresql.url", url,
                        "twingress.store.postgresql.user", SharedPostgres.USER,
                        "twingress.store.postgresql.password", SharedPostgres.PASSWORD,
                        "twingress.egress.lease", "PT3S",
                        "twingress.egress.syncPeriod", "500",
                        "twingress.egress.pollPeriod", "20",
                        "twingress.instance.id", "second"));
                String[] bases = {child, second.baseUrl()};

                // 8 clients, half through each instance, create twins concurrently
                Set<String> acknowledged = ConcurrentHashMap.newKeySet();
                writeConcurrently(bases, "a", 8, 25, acknowledged);
                awaitDelivered(receiver, acknowledged, Duration.ofSeconds(30));
                Map<String, Long> perEvent = receiver.requests().stream()
                        .collect(Collectors.groupingBy(r -> r.header("ce-id"), Collectors.counting()));
                assertThat(perEvent.values()).as("one instance at a time: each event once").containsOnly(1L);

                // kill the child, which holds the endpoint, while clients write through both; the second takes over
                Set<String> afterKill = ConcurrentHashMap.newKeySet();
                Thread writers = new Thread(() -> writeConcurrently(bases, "b", 8, 40, afterKill));
                writers.start();
                Thread.sleep(300);
                first.destroyForcibly();
                assertThat(first.waitFor()).isEqualTo(137);
                writers.join();
                assertThat(afterKill).as("the second instance kept acknowledging").isNotEmpty();
                awaitDelivered(receiver, afterKill, Duration.ofSeconds(60));
            } finally {
                first.destroyForcibly();
                if (second != null) {
                    second.close();
                }
            }
        }
    }

    /** Clients each create twins through one of the instances, recording the ones acknowledged (created). */
    private static void writeConcurrently(String[] bases, String prefix, int clients, int twinsEach,
            Set<String> acknowledged) {
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            String base = bases[c % bases.length];
            String client = prefix + c;
            Thread t = new Thread(() -> {
                for (int i = 0; i < twinsEach; i++) {
                    String id = client + "-" + i;
                    try {
                        HttpResponse<String> r = send(base, "PUT", "/digitaltwins/" + id + "?" + V,
                                "{\"$metadata\":{\"$model\":\"" + MODEL + "\"},\"n\":" + i + "}");
                        if (r.statusCode() == 200) {
                            acknowledged.add(id);
                        }
                    } catch (Exception e) {
                        // the instance was killed: this client stops
                        return;
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void awaitDelivered(HttpReceiver receiver, Set<String> twins, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        Set<String> missing = new HashSet<>(twins);
        while (!missing.isEmpty() && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
            missing = new HashSet<>(twins);
            for (HttpReceiver.Request request : receiver.requests()) {
                if ("Microsoft.DigitalTwins.Twin.Create".equals(request.header("ce-type"))) {
                    missing.remove(request.header("ce-subject"));
                }
            }
        }
        assertThat(missing).as("created twins whose event never arrived, of %d", twins.size()).isEmpty();
    }

}
