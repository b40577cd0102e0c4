package io.twingress.routes;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.twingress.Json;
import io.twingress.routes.testing.RawHttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a careless or malicious client sends: parameters that try to stand in for the path or for internal headers,
 * ids that are not UTF-8, forged forwarding headers, unknown paths and methods, a broken Host, and a fuzzed mix of
 * all of them. Every reply is ADT's error body or a success, never a 5xx.
 */
class HostileInputIT {

    static final String V = "api-version=2023-10-31";
    static final String SPACE = "dtmi:contosocom:DigitalTwins:Space;1";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Every name a route or handler reads, and Camel's own HTTP headers. */
    static final List<String> INTERNAL = List.of("id", "relationshipId", "componentPath", "TwingressTwinId",
            "TwingressComponent", "TwingressModelId", "TwingressMessageId", "TwingressSourceTime", "CamelHttpUri",
            "CamelHttpPath", "CamelHttpQuery", "CamelHttpRawQuery", "CamelHttpUrl", "CamelHttpMethod");

    static TwingressServer server;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("twingress-hostile-it");
        // a small body limit, so the 413 test sends 100 KB rather than 32 MB
        server = TwingressServer.start(dir, Map.of("camel.server.maxBodySize", "65536"));
        String space = new String(HostileInputIT.class.getResourceAsStream("/models/space.json").readAllBytes(),
                StandardCharsets.UTF_8);
        assertThat(send("POST", "/models?" + V, "[" + space + "]", Map.of()).statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aRequestActsOnlyOnWhatItsPathNames() throws Exception {
        for (String name : INTERNAL) {
            putTwin("attacker");
            putTwin("victim");
            assertThat(send("PATCH", "/digitaltwins/attacker?" + V + "&" + name + "=victim",
                    "[{\"op\":\"replace\",\"path\":\"/Temperature\",\"value\":99}]", Map.of()).statusCode()).as(name)
                    .isEqualTo(204);
            assertThat(send("PATCH", "/digitaltwins/attacker?" + V,
                    "[{\"op\":\"replace\",\"path\":\"/Temperature\",\"value\":98}]", Map.of(name, "victim"))
                    .statusCode()).as(name).isEqualTo(204);
            assertThat(temperature("attacker")).as(name).isEqualTo(98);
            assertThat(temperature("victim")).as(name).isEqualTo(1);
            assertThat(send("DELETE", "/digitaltwins/attacker?" + V + "&" + name + "=victim", null, Map.of())
                    .statusCode()).as(name).isEqualTo(204);
            putTwin("attacker");
            assertThat(send("DELETE", "/digitaltwins/attacker?" + V, null, Map.of(name, "victim")).statusCode())
                    .as(name).isEqualTo(204);
            assertThat(send("GET", "/digitaltwins/attacker?" + V, null, Map.of()).statusCode()).as(name)
                    .isEqualTo(404);
            assertThat(temperature("victim")).as(name).isEqualTo(1);
        }
    }

    @Test
    void relationshipAndModelIdsComeFromThePathToo() throws Exception {
        putTwin("src");
        putTwin("dst");
        for (String rel : List.of("mine", "theirs")) {
            assertThat(send("PUT", "/digitaltwins/src/relationships/" + rel + "?" + V,
                    "{\"$targetId\":\"dst\",\"$relationshipName\":\"contains\"}", Map.of()).statusCode())
                    .isEqualTo(200);
        }
        assertThat(send("DELETE", "/digitaltwins/src/relationships/mine?" + V + "&relationshipId=theirs", null,
                Map.of()).statusCode()).isEqualTo(204);
        assertThat(send("DELETE", "/digitaltwins/src/relationships/mine?" + V, null,
                Map.of("relationshipId", "theirs")).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/digitaltwins/src/relationships/theirs?" + V, null, Map.of()).statusCode())
                .isEqualTo(200);

        HttpResponse<String> model = send("GET", "/models/dtmi:no:Such;1?" + V + "&id=" + SPACE, null, Map.of());
        assertError(model, 404, "ModelNotFound", "dtmi:no:Such;1");
        assertError(send("GET", "/models/dtmi:no:Such;1?" + V, null, Map.of("id", SPACE)), 404, "ModelNotFound",
                "dtmi:no:Such;1");
    }

    @Test
    void decommissionTakesOnlyTheBooleanTrue() throws Exception {
        for (String value : List.of("\"true\"", "1", "false", "null", "{}")) {
            assertError(send("PATCH", "/models/" + SPACE + "?" + V,
                    "[{\"op\":\"replace\",\"path\":\"/decommissioned\",\"value\":" + value + "}]", Map.of()), 400,
                    "JsonPatchInvalid", "decommission");
        }
        HttpResponse<String> model = send("GET", "/models/" + SPACE + "?" + V, null, Map.of());
        assertThat(Json.parse(model.body()).get("decommissioned").asBoolean()).isFalse();
    }

    @Test
    void aComponentPathHeaderDoesNotMakeTwinTelemetryComponentTelemetry() throws Exception {
        putTwin("t2");
        // the Space model has no components (nor telemetry: the payload is empty): twin telemetry is accepted,
        // component telemetry would be refused
        assertThat(send("POST", "/digitaltwins/t2/telemetry?" + V, "{}",
                Map.of("Message-Id", "c1", "componentPath", "nope")).statusCode()).isEqualTo(204);
        assertError(send("POST", "/digitaltwins/t2/components/nope/telemetry?" + V, "{}",
                Map.of("Message-Id", "c2")), 404, "ComponentNotFound", "nope");
    }

    @Test
    void dotSegmentsCannotRouteByOneNameAndActOnAnother() throws Exception {
        putTwin("victim2");
        putTwin("attacker2");
        for (String target : List.of("/digitaltwins/victim2/%2e%2e/attacker2", "/digitaltwins/victim2/../attacker2",
                "/digitaltwins/victim2/./", "/digitaltwins//victim2")) {
            RawHttp.Reply reply = raw("DELETE", target + "?" + V, null, Map.of());
            assertThat(reply.status()).as(target + " " + reply.body()).isIn(400, 404);
            assertThat(Json.parse(reply.body()).at("/error/code").asText()).as(target).isNotEmpty();
        }
        assertThat(send("GET", "/digitaltwins/victim2?" + V, null, Map.of()).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/digitaltwins/attacker2?" + V, null, Map.of()).statusCode()).isEqualTo(200);
    }

    private static int temperature(String twin) throws Exception {
        HttpResponse<String> reply = send("GET", "/digitaltwins/" + twin + "?" + V, null, Map.of());
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        return Json.parse(reply.body()).get("Temperature").asInt();
    }

    @Test
    void headersAreHeadersAndQueryParametersAreQueryParameters() throws Exception {
        putTwin("t1");
        HttpResponse<String> messageIdInQuery = send("POST", "/digitaltwins/t1/telemetry?" + V + "&Message-Id=m1",
                "{}", Map.of());
        assertError(messageIdInQuery, 400, "InvalidArgument", "Message-Id is an HTTP header");
        HttpResponse<String> versionAsHeader = send("GET", "/models", null, Map.of("api-version", "2023-10-31"));
        assertError(versionAsHeader, 400, "MissingApiVersionParameter", "api-version");
    }

    @Test
    void idsThatAreNotUtf8AreRefused() throws Exception {
        RawHttp.Reply malformed = raw("GET", "/digitaltwins/a%zz?" + V, null, Map.of());
        assertError(malformed, 400, "BadRequest", "percent-encoding");
        for (String id : List.of("%FF", "%ED%A0%80", "%C3")) {
            RawHttp.Reply reply = raw("GET", "/digitaltwins/" + id + "?" + V, null, Map.of());
            assertThat(reply.status()).as(id + ": " + reply.body()).isEqualTo(400);
            assertThat(Json.parse(reply.body()).at("/error/code").asText()).isEqualTo("InvalidArgument");
            assertThat(reply.headers().get("x-ms-error-code")).isEqualTo("InvalidArgument");
            assertThat(Json.parse(reply.body()).at("/error/message").asText()).contains("UTF-8");
        }
    }

    @Test
    void nextLinksUseTheRequestsOwnSchemeAndHost() throws Exception {
        putTwin("hub");
        for (int i = 0; i < 3; i++) {
            putTwin("leaf" + i);
            assertThat(send("PUT", "/digitaltwins/hub/relationships/r" + i + "?" + V,
                    "{\"$targetId\":\"leaf" + i + "\",\"$relationshipName\":\"contains\"}", Map.of()).statusCode())
                    .isEqualTo(200);
        }
        HttpResponse<String> page = send("GET", "/digitaltwins/hub/relationships?" + V, null,
                Map.of("X-Forwarded-Proto", "javascript:alert(1)//", "max-items-per-page", "1"));
        String next = Json.parse(page.body()).get("nextLink").asText();
        assertThat(next).startsWith(server.baseUrl() + "/digitaltwins/hub/relationships?");
        assertThat(send("GET", next.substring(server.baseUrl().length()), null, Map.of("max-items-per-page", "1"))
                .statusCode()).isEqualTo(200);
    }

    /** platform-http logs a port that is taken and carries on; the application must not run unreachable. */
    @Test
    void aSecondInstanceOnATakenPortRefusesToStart() throws Exception {
        int taken = URI.create(server.baseUrl()).getPort();
        Path other = Files.createTempDirectory("twingress-hostile-second");
        assertThatThrownBy(() -> TwingressServer.start(other, Map.of("camel.server.port", Integer.toString(taken))))
                .hasStackTraceContaining("cannot serve its API on 127.0.0.1:" + taken);
        // the first one still serves
        assertThat(send("GET", "/models?" + V, null, Map.of()).statusCode()).isEqualTo(200);
    }

    @Test
    void theHttpLayersOwnRepliesCarryAdtsErrorBody() throws Exception {
        assertError(send("GET", "/no/such/path?" + V, null, Map.of()), 404, "NotFound", "/no/such/path");
        HttpResponse<String> notAllowed = send("DELETE", "/query?" + V, null, Map.of());
        assertError(notAllowed, 405, "MethodNotAllowed", "DELETE");
        assertThat(notAllowed.headers().firstValue("Allow")).hasValue("POST");
        HttpResponse<String> twin = send("POST", "/digitaltwins/t1?" + V, "{}", Map.of());
        assertError(twin, 405, "MethodNotAllowed", "POST");
        assertThat(twin.headers().firstValue("Allow")).hasValue("DELETE, GET, PATCH, PUT");
        // the list of ingress dead letters is read, not posted to; /ingress/{action} names operations only
        HttpResponse<String> list = send("POST", "/ingress/deadletters?" + V, null, Map.of());
        assertError(list, 405, "MethodNotAllowed", "deadletters:replay");
        assertThat(list.headers().firstValue("Allow")).hasValue("GET");
        assertError(send("DELETE", "/ingress/deadletters?" + V, null, Map.of()), 405, "MethodNotAllowed", "GET");
        assertError(send("GET", "/ingress/x?" + V, null, Map.of()), 404, "NotFound", "/ingress/x");
        assertError(send("POST", "/devices/d1/messages/events", "{}", Map.of("Content-Encoding", "gzip")), 415,
                "UnsupportedMediaType", "send it uncompressed");
        assertError(send("POST", "/ingress/x?" + V, null, Map.of()), 404, "NotFound", "There is no operation POST"
                + " /ingress/x.");
        assertError(send("POST", "/ingress/deadletters:replya?" + V, null, Map.of()), 404, "NotFound",
                "deadletters:replay");
        assertError(send("POST", "/endpoints/e/deadletters?" + V, null, Map.of()), 405, "MethodNotAllowed",
                "/endpoints/e/deadletters:replay");
        assertError(raw("GET", "/models/" + "a".repeat(9000) + "?" + V, null, Map.of()), 414, "UriTooLong",
                "request line");
        assertError(raw("GET", "/models?" + V, null, Map.of("X-Big", "b".repeat(9000))), 431,
                "RequestHeaderFieldsTooLarge", "headers");
        assertError(raw("GET", "/models?" + V + "&continuationToken=%%", null, Map.of()), 400, "BadRequest",
                "malformed");
        assertError(raw("POST", "/models?" + V, "[" + " ".repeat(100 * 1024) + "]", Map.of()), 413,
                "PayloadTooLarge", "body");
        // a form is refused before the server decodes it (a GET's decoding failed with a bare 500)
        assertError(raw("GET", "/eventroutes/r1?" + V, "", Map.of("Content-Type",
                "application/x-www-form-urlencoded")), 400, "InvalidArgument", "not application/x-www-form-urlencoded");
        assertError(raw("PUT", "/digitaltwins/f9?" + V, "a=1", Map.of("Content-Type",
                "Multipart/Form-Data; boundary=x")), 400, "InvalidArgument", "form");
    }

    @Test
    void aHostHeaderThatIsNotAnAuthorityIsAnswered400() throws Exception {
        URI base = URI.create(server.baseUrl());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /models?" + V + " HTTP/1.1\r\nHost: %zz\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String reply = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(reply).startsWith("HTTP/1.1 400").contains("\"code\":\"BadRequest\"");
        }
        assertThat(send("GET", "/models?" + V, null, Map.of()).statusCode()).isEqualTo(200);
    }

    /** Mutated requests over every path: no 5xx, every error in ADT's shape, and the server keeps serving. */
    @Test
    void fuzzedRequestsGetNoServerError() throws Exception {
        putTwin("f1");
        Random random = new Random(20261130);
        List<String> paths = List.of("/models", "/models/dtmi:x:y;1", "/digitaltwins/f1", "/digitaltwins/f1/components/c",
                "/digitaltwins/f1/relationships", "/digitaltwins/f1/relationships/r1",
                "/digitaltwins/f1/incomingrelationships", "/query", "/digitaltwins/f1/telemetry",
                "/digitaltwins/f1/components/c/telemetry");
        List<String> methods = List.of("GET", "PUT", "POST", "PATCH", "DELETE");
        List<String> bodies = List.of("", "{}", "[]", "{} {}", "[{\"op\":\"add\",\"path\":\"/m/~2\",\"value\":1}]",
                "{\"query\":\"SELECT * FROM DIGITALTWINS T WHERE T.d < 1e400\"}", "{\"query\":1e9999999999}",
                "{\"$metadata\":{\"$model\":\"" + SPACE + "\"},\"Temperature\":1e400}", "\u0000", "{\"a\":",
                "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
        List<String> queries = List.of(V, "", "api-version=x", V + "&continuationToken=%%", V + "&id=f2",
                V + "&includeModelDefinition=maybe", V + "&dependenciesFor=%FF");
        int answered = 0;
        for (int i = 0; i < 400; i++) {
            String path = paths.get(random.nextInt(paths.size()));
            String query = queries.get(random.nextInt(queries.size()));
            String body = bodies.get(random.nextInt(bodies.size()));
            Map<String, String> headers = random.nextBoolean() ? Map.of() : Map.of("If-Match", "x",
                    "Message-Id", "m" + i, "max-items-per-page", random.nextBoolean() ? "0" : "1e3");
            RawHttp.Reply reply = raw(methods.get(random.nextInt(methods.size())), path + "?" + query,
                    body.isEmpty() ? null : body, headers);
            assertThat(reply.status()).as(path + "?" + query + " " + body + " -> " + reply.body()).isLessThan(500);
            if (reply.status() >= 400) {
                assertThat(reply.headers().get("content-type")).as(path + "?" + query + " " + body + " -> " + reply)
                        .startsWith("application/json");
                JsonNode error = Json.parse(reply.body());
                assertThat(error.at("/error/code").asText()).as(reply.body()).isNotEmpty();
                assertThat(error.at("/error/message").asText()).as(reply.body()).isNotEmpty();
            }
            answered++;
        }
        assertThat(answered).isEqualTo(400);
        // the fuzzer may well have deleted f1; the server must still answer a normal request
        assertThat(send("GET", "/models?" + V, null, Map.of()).statusCode()).isEqualTo(200);
    }

    private static void putTwin(String id) throws Exception {
        HttpResponse<String> put = send("PUT", "/digitaltwins/" + id + "?" + V,
                "{\"$metadata\":{\"$model\":\"" + SPACE + "\"},\"Temperature\":1}", Map.of());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    }

    private static void assertError(RawHttp.Reply reply, int status, String code, String fragment) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(Json.parse(reply.body()).at("/error/code").asText()).isEqualTo(code);
        assertThat(reply.headers().get("x-ms-error-code")).isEqualTo(code);
        assertThat(Json.parse(reply.body()).at("/error/message").asText()).contains(fragment);
    }

    private static void assertError(HttpResponse<String> reply, int status, String code, String fragment) {
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(status);
        assertThat(Json.parse(reply.body()).at("/error/code").asText()).isEqualTo(code);
        assertThat(reply.headers().firstValue("x-ms-error-code")).hasValue(code);
        assertThat(Json.parse(reply.body()).at("/error/message").asText()).contains(fragment);
    }

    /** Sends exactly the bytes given, so a request target can hold what a URI class refuses to build. */
    static RawHttp.Reply raw(String method, String target, String body, Map<String, String> headers) throws Exception {
        Map<String, String> all = new LinkedHashMap<>();
        if (body != null) {
            all.put("Content-Type", "application/json");
        }
        all.putAll(headers);
        return RawHttp.send(server.baseUrl(), method, target, body == null ? null
                : body.getBytes(StandardCharsets.UTF_8), all);
    }

    static HttpResponse<String> send(String method, String pathAndQuery, String body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + pathAndQuery))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
