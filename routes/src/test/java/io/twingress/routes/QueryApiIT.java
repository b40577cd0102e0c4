package io.twingress.routes;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.twingress.Json;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /query} over real HTTP: fresh reads, paging with continuation tokens, errors, and a fuzzer. */
class QueryApiIT {

    static final String V = "api-version=2023-10-31";
    static final String SPACE = "dtmi:contosocom:DigitalTwins:Space;1";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static TwingressServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TwingressServer.start(Files.createTempDirectory("twingress-query-it"), Map.of());
        assertThat(send("POST", "/models?" + V, "[" + AdtApiIT.resource("space.json") + "]").statusCode())
                .isEqualTo(201);
        for (int i = 0; i < 25; i++) {
            putTwin(String.format("q%02d", i), i);
        }
        assertThat(send("PUT", "/digitaltwins/q00/relationships/link?" + V,
                "{\"$targetId\":\"q01\",\"$relationshipName\":\"contains\"}").statusCode()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aQuerySentAfterAWriteSeesIt() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertThat(send("PATCH", "/digitaltwins/q05?" + V,
                    "[{\"op\":\"replace\",\"path\":\"/Temperature\",\"value\":" + (1000 + i) + "}]").statusCode())
                    .isEqualTo(204);
            JsonNode page = query("SELECT T.Temperature AS t FROM DIGITALTWINS T WHERE T.$dtId = 'q05'");
            assertThat(page.at("/value/0/t").asInt()).isEqualTo(1000 + i);
        }
    }

    @Test
    void pagesFollowTheContinuationTokenAndCarryAQueryCharge() throws Exception {
        HttpResponse<String> first = HTTP.send(request("{\"query\":\"SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('"
                + SPACE + "') AND STARTSWITH($dtId, 'q')\"}").header("max-items-per-page", "10").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(Double.parseDouble(first.headers().firstValue("query-charge").orElseThrow())).isPositive();
        List<String> ids = new ArrayList<>();
        JsonNode page = Json.parse(first.body());
        int pages = 1;
        while (true) {
            page.get("value").forEach(t -> ids.add(t.get("$dtId").asText()));
            if (page.get("continuationToken").isNull()) {
                break;
            }
            HttpResponse<String> next = HTTP.send(request(Json.object()
                    .put("continuationToken", page.get("continuationToken").asText()).toString())
                    .header("max-items-per-page", "10").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(next.statusCode()).isEqualTo(200);
            page = Json.parse(next.body());
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(ids).hasSize(25).doesNotHaveDuplicates().isSorted();
    }

    @Test
    void joinsAndCountsWork() throws Exception {
        JsonNode join = query("SELECT P, C FROM DIGITALTWINS P JOIN C RELATED P.contains WHERE P.$dtId = 'q00'");
        assertThat(join.at("/value/0/C/$dtId").asText()).isEqualTo("q01");
        JsonNode count = query("SELECT COUNT() FROM DIGITALTWINS WHERE IS_OF_MODEL('" + SPACE + "')");
        assertThat(count.at("/value/0/COUNT").asInt()).isGreaterThanOrEqualTo(25);
    }

    @Test
    void badQueriesGetSqlQueryErrorNamingThePosition() throws Exception {
        HttpResponse<String> bad = send("POST", "/query?" + V, "{\"query\":\"SELECT * FORM DIGITALTWINS\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        JsonNode error = Json.parse(bad.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("SqlQueryError");
        assertThat(error.get("message").asText()).contains("position 10", "FROM");
        assertThat(send("POST", "/query?" + V, "{}").statusCode()).isEqualTo(400);
        assertThat(send("POST", "/query?" + V, "{\"continuationToken\":\"garbage\"}").statusCode()).isEqualTo(400);
    }

    /** Random and mutated queries: every one is answered 200 or 400, never 5xx, and the server keeps serving. */
    @Test
    void fuzzedQueriesNeverBreakTheServer() throws Exception {
        List<String> corpus = List.of(
                "SELECT * FROM DIGITALTWINS WHERE $dtId = 'q01'",
                "SELECT TOP(3) T FROM DIGITALTWINS T WHERE T.Temperature > 5 AND NOT IS_NULL(T.Temperature)",
                "SELECT P, C FROM DIGITALTWINS P JOIN C RELATED P.contains R WHERE P.$dtId IN ['q00','q02']",
                "SELECT COUNT() FROM RELATIONSHIPS R WHERE R.$relationshipName = 'contains'",
                "SELECT a, b FROM DIGITALTWINS MATCH (a)-[:contains*1..3]->(b) WHERE a.$dtId = 'q00'",
                "SELECT T.$metadata.$model AS m FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '" + SPACE + "', exact)",
                "SELECT * FROM DIGITALTWINS WHERE STARTSWITH($dtId, 'q\\'x') OR (Temperature >= 3 AND Temperature < 9)");
        String alphabet = "SELECT*FROMWHEREJOINMATCH()[]{}<>=!'\",.-|:;\\ 0123456789$abcé漢\u0000\t";
        Random random = new Random(20261126L);
        Set<Integer> statuses = new HashSet<>();
        for (int i = 0; i < 1500; i++) {
            StringBuilder q = new StringBuilder(corpus.get(random.nextInt(corpus.size())));
            int edits = 1 + random.nextInt(6);
            for (int e = 0; e < edits && q.length() > 0; e++) {
                int at = random.nextInt(q.length());
                switch (random.nextInt(4)) {
                    case 0 -> q.deleteCharAt(at);
                    case 1 -> q.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 2 -> q.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> q.insert(at, q.substring(random.nextInt(q.length())));
                }
            }
            if (i % 100 == 0) {
                q.append("(".repeat(5000));
            }
            HttpResponse<String> response = send("POST", "/query?" + V, Json.object().put("query", q.toString())
                    .toString());
            assertThat(response.statusCode()).as("query %s answered %s", q, response.body()).isIn(200, 400);
            statuses.add(response.statusCode());
        }
        assertThat(statuses).contains(200, 400);
        assertThat(query("SELECT * FROM DIGITALTWINS WHERE $dtId = 'q01'").get("value")).hasSize(1);
    }

    static void putTwin(String id, int temperature) throws Exception {
        assertThat(send("PUT", "/digitaltwins/" + id + "?" + V, "{\"$metadata\":{\"$model\":\"" + SPACE
                + "\"},\"Temperature\":" + temperature + "}").statusCode()).isEqualTo(200);
    }

    static JsonNode query(String query) throws Exception {
        HttpResponse<String> response = send("POST", "/query?" + V, Json.object().put("query", query).toString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.parse(response.body());
    }

    static HttpRequest.Builder request(String body) {
        return HttpRequest.newBuilder(URI.create(server.baseUrl() + "/query?" + V))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
