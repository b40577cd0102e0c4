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
import io.twingress.query.EquivalentQueries;

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
        assertThat(join.get("value")).hasSize(1);
        assertThat(join.at("/value/0/C/$dtId").asText()).isEqualTo("q01");
        JsonNode count = query("SELECT COUNT() FROM DIGITALTWINS WHERE IS_OF_MODEL('" + SPACE + "')");
        assertThat(count.get("value")).hasSize(1);
        assertThat(count.at("/value/0/COUNT").asInt()).as("q00 to q24").isEqualTo(25);
    }

    @Test
    void badQueriesGetSqlQueryErrorNamingThePosition() throws Exception {
        AdtApiIT.assertAdtError(send("POST", "/query?" + V, "{\"query\":\"SELECT * FORM DIGITALTWINS\"}"), 400,
                "SqlQueryError", "position 10", "FROM");
        AdtApiIT.assertAdtError(send("POST", "/query?" + V, "{}"), 400, "SqlQueryError", "\"query\"",
                "\"continuationToken\"");
        AdtApiIT.assertAdtError(send("POST", "/query?" + V, "{\"continuationToken\":\"garbage\"}"), 400,
                "SqlQueryError", "continuation token");
    }

    /**
     * Random and mutated queries: every one is answered 200 or an ADT query error, never 5xx. Every fifth request is
     * instead a rewrite of a valid query (other whitespace and keyword case, added parentheses), which must answer
     * 200 with its exact count: a server that refused everything, or that garbage had broken, fails here.
     */
    @Test
    void fuzzedQueriesNeverBreakTheServer() throws Exception {
        // counts from the 25 twins q00..q24 (Temperature = number) and q00 -contains-> q01; q05's Temperature is
        // changed by another test, so no expectation depends on it
        List<Map.Entry<String, Integer>> counted = List.of(
                Map.entry("SELECT * FROM DIGITALTWINS WHERE $dtId = 'q01'", 1),
                Map.entry("SELECT TOP(3) T FROM DIGITALTWINS T WHERE T.Temperature >= 10 AND NOT IS_NULL(T.Temperature)", 3),
                Map.entry("SELECT P, C FROM DIGITALTWINS P JOIN C RELATED P.contains R WHERE P.$dtId IN ['q00','q02']", 1),
                Map.entry("SELECT COUNT() FROM RELATIONSHIPS R WHERE R.$relationshipName = 'contains'", 1),
                Map.entry("SELECT a, b FROM DIGITALTWINS MATCH (a)-[:contains]->(b) WHERE a.$dtId = 'q00'", 1),
                Map.entry("SELECT T.$metadata.$model AS m FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '" + SPACE
                        + "', exact)", 25),
                // q10..q19, q20, q21 and q22
                Map.entry("SELECT * FROM DIGITALTWINS WHERE STARTSWITH($dtId, 'q1') OR (Temperature >= 20 AND Temperature < 23)", 13),
                Map.entry("SELECT COUNT() FROM DIGITALTWINS WHERE Temperature >= 10 AND Temperature < 20", 10));
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
        int rewrites = 0;
        for (int i = 0; i < 1500; i++) {
            if (i % 5 == 4) {
                Map.Entry<String, Integer> valid = counted.get(random.nextInt(counted.size()));
                String rewritten = EquivalentQueries.rewrite(valid.getKey(), random);
                assertThat(count(rewritten, 1 + random.nextInt(10))).as(rewritten).isEqualTo(valid.getValue());
                rewrites++;
                continue;
            }
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
            if (response.statusCode() == 400) {
                AdtApiIT.assertAdtError(response, 400, "SqlQueryError");
            }
            statuses.add(response.statusCode());
        }
        assertThat(rewrites).isEqualTo(300);
        assertThat(statuses).contains(200, 400);
        assertThat(query("SELECT * FROM DIGITALTWINS WHERE $dtId = 'q01'").get("value")).hasSize(1);
    }

    /** Rows over every page, or the value of a {@code COUNT()} row; every page must be a 200. */
    static int count(String query, int pageSize) throws Exception {
        List<JsonNode> rows = new ArrayList<>();
        String body = Json.object().put("query", query).toString();
        while (body != null) {
            HttpResponse<String> response = HTTP.send(request(body).header("max-items-per-page",
                    Integer.toString(pageSize)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("%s answered %s", query, response.body()).isEqualTo(200);
            JsonNode page = Json.parse(response.body());
            page.get("value").forEach(rows::add);
            body = page.get("continuationToken").isNull() ? null
                    : Json.object().put("continuationToken", page.get("continuationToken").asText()).toString();
        }
        if (rows.size() == 1 && rows.get(0).has("COUNT")) {
            return rows.get(0).get("COUNT").asInt();
        }
        return rows.size();
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
