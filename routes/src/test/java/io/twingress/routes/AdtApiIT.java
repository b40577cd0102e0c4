package io.twingress.routes;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.twingress.Json;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ADT protocol details over real HTTP: api-version, error bodies, paging, telemetry hand-off, health and
 * metrics, and a user route that replaces a built-in one.
 */
class AdtApiIT {

    static final String V = "api-version=2023-10-31";
    static final String SPACE = "dtmi:contosocom:DigitalTwins:Space;1";

    static TwingressServer server;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The user's replacement of the twin-telemetry route, recording what the API hands on. */
    static TelemetryProbe probe;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("twingress-api-it");
        probe = TelemetryProbe.install(dir);
        server = TwingressServer.start(dir, Map.of(), probe::bind);
        HttpResponse<String> upload = send("POST", "/models?" + V, "[" + resource("space.json") + "]", Map.of());
        assertThat(upload.statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void apiVersionIsRequiredAndChecked() throws Exception {
        assertAdtError(send("GET", "/models", null, Map.of()), 400, "MissingApiVersionParameter", "api-version");
        assertAdtError(send("GET", "/models?api-version=2019-01-01", null, Map.of()), 400,
                "InvalidApiVersionParameter", "2019-01-01", "2023-10-31");
        for (String version : List.of("2020-10-31", "2022-05-31", "2023-06-30", "2023-10-31")) {
            assertThat(send("GET", "/models?api-version=" + version, null, Map.of()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void errorsCarryAdtsBodyAndDoNotEchoRequestHeaders() throws Exception {
        HttpResponse<String> missing = send("GET", "/digitaltwins/nope?" + V, null,
                Map.of("Authorization", "Bearer secret-token"));
        assertAdtError(missing, 404, "DigitalTwinNotFound", "nope");
        assertThat(missing.headers().firstValue("Authorization")).isEmpty();
        assertThat(missing.body()).doesNotContain("secret-token");

        assertAdtError(send("PUT", "/digitaltwins/x?" + V, "{not json", Map.of()), 400, "InvalidArgument",
                "not valid JSON");

        HttpResponse<String> form = HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/query?" + V))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"SELECT * FROM DIGITALTWINS\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertAdtError(form, 400, "InvalidArgument", "Content-Type: application/json");

        HttpResponse<String> badModel = send("POST", "/models?" + V,
                "[{\"@id\":\"dtmi:x:Bad;1\",\"@type\":\"Interface\",\"@context\":\"dtmi:dtdl:context;2\","
                        + "\"contents\":[{\"@type\":\"Property\",\"name\":\"p\",\"schema\":\"strin\"}]}]", Map.of());
        assertAdtError(badModel, 400, "DTDLParserError", "dtmi:x:Bad;1", "strin");
    }

    @Test
    void listsArePagedWithNextLinks() throws Exception {
        put("/digitaltwins/hub?" + V, "{\"$metadata\":{\"$model\":\"" + SPACE + "\"}}");
        for (int i = 0; i < 7; i++) {
            put("/digitaltwins/leaf" + i + "?" + V, "{\"$metadata\":{\"$model\":\"" + SPACE + "\"}}");
            put("/digitaltwins/hub/relationships/r" + i + "?" + V,
                    "{\"$targetId\":\"leaf" + i + "\",\"$relationshipName\":\"contains\"}");
        }
        List<String> ids = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String link = server.baseUrl() + "/digitaltwins/hub/relationships?" + V;
        while (link != null) {
            HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(link))
                    .header("max-items-per-page", "3").GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            JsonNode body = Json.parse(page.body());
            pageSizes.add(body.get("value").size());
            body.get("value").forEach(r -> ids.add(r.get("$relationshipId").asText()));
            link = body.get("nextLink").isNull() ? null : body.get("nextLink").asText();
        }
        assertThat(pageSizes).as("7 relationships, 3 a page").containsExactly(3, 3, 1);
        assertThat(ids).containsExactly("r0", "r1", "r2", "r3", "r4", "r5", "r6");

        HttpResponse<String> incoming = send("GET", "/digitaltwins/leaf3/incomingrelationships?" + V, null, Map.of());
        assertThat(incoming.statusCode()).isEqualTo(200);
        JsonNode incomingValue = Json.parse(incoming.body()).get("value");
        assertThat(incomingValue).hasSize(1);
        assertThat(incomingValue.get(0).get("$sourceId").asText()).isEqualTo("hub");
        assertThat(incomingValue.get(0).get("$relationshipId").asText()).isEqualTo("r3");
    }

    @Test
    void modelsArePagedAndListedWithTheirDependencies() throws Exception {
        HttpResponse<String> upload = send("POST", "/models?" + V, """
                [{"@id":"dtmi:twingress:paging:Base;1","@type":"Interface","@context":"dtmi:dtdl:context;3"},
                 {"@id":"dtmi:twingress:paging:Part;1","@type":"Interface","@context":"dtmi:dtdl:context;3"},
                 {"@id":"dtmi:twingress:paging:Whole;1","@type":"Interface","@context":"dtmi:dtdl:context;3",
                  "extends":"dtmi:twingress:paging:Base;1",
                  "contents":[{"@type":"Component","name":"part","schema":"dtmi:twingress:paging:Part;1"}]},
                 {"@id":"dtmi:twingress:paging:Other;1","@type":"Interface","@context":"dtmi:dtdl:context;3"}]
                """, Map.of());
        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);

        List<String> ids = new ArrayList<>();
        String link = server.baseUrl() + "/models?" + V + "&dependenciesFor=dtmi:twingress:paging:Whole;1";
        while (link != null) {
            HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(link))
                    .header("max-items-per-page", "1").GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            JsonNode body = Json.parse(page.body());
            assertThat(body.get("value")).hasSize(1);
            assertThat(body.get("value").get(0).has("model")).isFalse();
            ids.add(body.get("value").get(0).get("id").asText());
            link = body.get("nextLink").isNull() ? null : body.get("nextLink").asText();
        }
        assertThat(ids).containsExactly("dtmi:twingress:paging:Base;1", "dtmi:twingress:paging:Part;1",
                "dtmi:twingress:paging:Whole;1");

        // the JavaScript SDK's form of several ids: one comma-separated value
        HttpResponse<String> twoIds = send("GET", "/models?" + V + "&dependenciesFor="
                + "dtmi:twingress:paging:Part;1,dtmi:twingress:paging:Other;1", null, Map.of());
        assertThat(twoIds.statusCode()).as(twoIds.body()).isEqualTo(200);
        assertThat(Json.parse(twoIds.body()).get("value").findValuesAsText("id"))
                .containsExactlyInAnyOrder("dtmi:twingress:paging:Part;1", "dtmi:twingress:paging:Other;1");

        HttpResponse<String> withDefinition = send("GET",
                "/models/dtmi:twingress:paging:Other;1?" + V + "&includeModelDefinition=true", null, Map.of());
        assertThat(Json.parse(withDefinition.body()).at("/model/@id").asText()).isEqualTo("dtmi:twingress:paging:Other;1");
        assertAdtError(send("DELETE", "/models/dtmi:twingress:paging:Part;1?" + V, null, Map.of()), 409,
                "ModelReferencesNotDeleted", "dtmi:twingress:paging:Part;1", "dtmi:twingress:paging:Whole;1");
        HttpResponse<String> decommission = send("PATCH", "/models/dtmi:twingress:paging:Other;1?" + V,
                "[{\"op\":\"replace\",\"path\":\"/decommissioned\",\"value\":true}]", Map.of());
        assertThat(decommission.statusCode()).isEqualTo(204);
        HttpResponse<String> twinOfDecommissioned = send("PUT", "/digitaltwins/late?" + V,
                "{\"$metadata\":{\"$model\":\"dtmi:twingress:paging:Other;1\"}}", Map.of());
        assertAdtError(twinOfDecommissioned, 400, "ModelDecommissioned", "dtmi:twingress:paging:Other;1");
    }

    @Test
    void telemetryIsTakenAsAdtTakesItAndHandedOnOnceToTheUsersRoute() throws Exception {
        HttpResponse<String> models = send("POST", "/models?" + V, """
                [{"@id":"dtmi:twingress:test:Fan;1","@type":"Interface","@context":"dtmi:dtdl:context;3",
                  "contents":[{"@type":"Telemetry","name":"rpm","schema":"integer"}]},
                 {"@id":"dtmi:twingress:test:Sensor;1","@type":"Interface","@context":"dtmi:dtdl:context;3",
                  "contents":[{"@type":"Telemetry","name":"temperature","schema":"double"},
                              {"@type":"Component","name":"fan","schema":"dtmi:twingress:test:Fan;1"}]}]
                """, Map.of());
        assertThat(models.statusCode()).as(models.body()).isEqualTo(201);
        put("/digitaltwins/sensor1?" + V, "{\"$metadata\":{\"$model\":\"dtmi:twingress:test:Sensor;1\"},\"fan\":{}}");

        assertAdtError(send("POST", "/digitaltwins/sensor1/telemetry?" + V, "{\"temperature\":1}", Map.of()), 400,
                "InvalidArgument", "Message-Id");
        assertAdtError(send("POST", "/digitaltwins/ghost/telemetry?" + V, "{\"temperature\":1}",
                Map.of("Message-Id", "m0")), 404, "DigitalTwinNotFound", "ghost");
        assertThat(probe.received()).isEmpty();
        // like ADT, a payload is not checked against the model's telemetry (twingress.telemetry.strict is off)
        assertThat(send("POST", "/digitaltwins/sensor1/telemetry?" + V, "\"a string\"",
                Map.of("Message-Id", "m0")).statusCode()).isEqualTo(204);

        for (int i = 0; i < 2; i++) {
            HttpResponse<String> sent = send("POST", "/digitaltwins/sensor1/telemetry?" + V,
                    "{\"temperature\":21.5}", Map.of("Message-Id", "m1", "Telemetry-Source-Time",
                            "2024-05-01T12:00:00Z"));
            assertThat(sent.statusCode()).as(sent.body()).isEqualTo(204);
        }
        HttpResponse<String> component = send("POST", "/digitaltwins/sensor1/components/fan/telemetry?" + V,
                "{\"rpm\":1200}", Map.of("Message-Id", "m2"));
        assertThat(component.statusCode()).as(component.body()).isEqualTo(204);
        assertThat(probe.received()).containsExactly("m0 \"a string\"", "m1 {\"temperature\":21.5}",
                "m2 {\"rpm\":1200}");
    }

    @Test
    void requestsTheSdksSendAreAnsweredAsAdtAnswersThem() throws Exception {
        for (String id : List.of("q1", "q2", "q3")) {
            put("/digitaltwins/" + id + "?" + V, "{\"$metadata\":{\"$model\":\"" + SPACE + "\"}}");
        }
        // the Python SDK sends the query again beside the continuation token: the token decides
        String query = "SELECT * FROM DIGITALTWINS T WHERE STARTSWITH(T.$dtId, 'q')";
        HttpResponse<String> first = send("POST", "/query?" + V, "{\"query\":\"" + query + "\"}",
                Map.of("max-items-per-page", "2"));
        String token = Json.parse(first.body()).get("continuationToken").asText();
        HttpResponse<String> second = send("POST", "/query?" + V, "{\"query\":\"" + query
                + "\",\"continuationToken\":\"" + token + "\"}", Map.of("max-items-per-page", "2"));
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(Json.parse(second.body()).get("value")).hasSize(1);
        assertThat(Json.parse(second.body()).at("/value/0/$dtId").asText()).isEqualTo("q3");

        HttpResponse<String> top = send("POST", "/query?" + V,
                "{\"query\":\"SELECT TOP (2) FROM DIGITALTWINS T WHERE STARTSWITH(T.$dtId, 'q')\"}", Map.of());
        assertThat(top.statusCode()).as(top.body()).isEqualTo(200);
        assertThat(Json.parse(top.body()).get("value")).hasSize(2);

        HttpResponse<String> all = send("GET", "/models?" + V + "&dependenciesFor=", null, Map.of());
        assertThat(all.statusCode()).as(all.body()).isEqualTo(200);
        assertThat(Json.parse(all.body()).get("value").size())
                .isEqualTo(Json.parse(send("GET", "/models?" + V, null, Map.of()).body()).get("value").size());

        HttpResponse<String> notADtmi = send("GET", "/models/not%20a%20dtmi?" + V, null, Map.of());
        assertThat(notADtmi.statusCode()).isEqualTo(400);
        assertThat(Json.parse(notADtmi.body()).at("/error/code").asText()).isEqualTo("InvalidArgument");
        HttpResponse<String> ghostRelationship = send("GET", "/digitaltwins/ghost/relationships/qr?" + V, null,
                Map.of());
        assertThat(ghostRelationship.statusCode()).isEqualTo(404);
        assertThat(Json.parse(ghostRelationship.body()).at("/error/code").asText()).isEqualTo("DigitalTwinNotFound");

        HttpResponse<String> renamed = send("PUT", "/digitaltwins/q1/relationships/qr?" + V, "{\"$targetId\":\"q2\","
                + "\"$relationshipName\":\"contains\",\"$sourceId\":\"q3\",\"$relationshipId\":\"other\"}", Map.of());
        assertThat(renamed.statusCode()).as(renamed.body()).isEqualTo(200);
        assertThat(Json.parse(renamed.body()).get("$sourceId").asText()).isEqualTo("q1");
        assertThat(Json.parse(renamed.body()).get("$relationshipId").asText()).isEqualTo("qr");

        assertAdtError(send("PUT", "/digitaltwins/q1/relationships/qx?" + V, "{\"$targetId\":\"ghost\","
                + "\"$relationshipName\":\"contains\"}", Map.of()), 404, "TargetTwinNotFound", "ghost");
        assertAdtError(send("PATCH", "/digitaltwins/q1/components/nope?" + V,
                "[{\"op\":\"add\",\"path\":\"/x\",\"value\":1}]", Map.of()), 400, "JsonPatchInvalid", "nope");
        send("DELETE", "/digitaltwins/q1/relationships/qr?" + V, null, Map.of());
    }

    @Test
    void healthAndMetricsAreServed() throws Exception {
        assertThat(send("GET", "/models?" + V, null, Map.of()).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/models/dtmi:com:example:Missing;1?" + V, null, Map.of()).statusCode()).isEqualTo(404);
        HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create(server.managementUrl()
                + "/observe/health")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("UP");
        HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(URI.create(server.managementUrl()
                + "/observe/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        // each route timed and counted (RouteMeters), under camel-micrometer's names and tags
        assertThat(metrics.body())
                .containsPattern("camel_route_policy_seconds_count\\{[^}]*routeId=\"api-models-list\"[^}]*\\} [1-9]")
                .containsPattern("camel_exchanges_total\\{[^}]*routeId=\"api-models-list\"[^}]*\\} [1-9]")
                .containsPattern("camel_exchanges_succeeded_total\\{[^}]*routeId=\"api-models-list\"[^}]*\\} [1-9]")
                .containsPattern(
                        "camel_exchanges_failures_handled_total\\{[^}]*routeId=\"api-model-get\"[^}]*\\} [1-9]");
        // the writes of this class's tests went through the store's group commit
        assertThat(metrics.body())
                .containsPattern("twingress_store_group_units_count\\{store=\"twingress-sqlite\",?\\} [1-9]")
                .containsPattern("twingress_store_commit_seconds_count\\{store=\"twingress-sqlite\",?\\} [1-9]");
    }

    static void put(String path, String body) throws Exception {
        HttpResponse<String> response = send("PUT", path, body, Map.of());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    static HttpResponse<String> send(String method, String path, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An ADT error reply: the status, the code in the body and in {@code x-ms-error-code}, and what the message says. */
    static void assertAdtError(HttpResponse<String> response, int status, String code, String... messageParts) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = Json.parse(response.body()).get("error");
        assertThat(error).as("an ADT error body: %s", response.body()).isNotNull();
        assertThat(error.path("code").asText()).as(response.body()).isEqualTo(code);
        assertThat(response.headers().firstValue("x-ms-error-code")).as("x-ms-error-code").hasValue(code);
        if (messageParts.length > 0) {
            assertThat(error.path("message").asText()).contains(messageParts);
        }
    }

    static String resource(String name) throws IOException {
        try (var in = AdtApiIT.class.getResourceAsStream("/models/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
