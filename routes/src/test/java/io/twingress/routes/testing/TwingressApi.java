package io.twingress.routes.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.twingress.Json;

/**
 * The few data-plane calls the egress tests make against a running Twingress (models, twins, telemetry, endpoints,
 * event routes, dead letters), each asserting that the call was accepted.
 */
public final class TwingressApi {

    public static final String API_VERSION = "api-version=2023-10-31";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String baseUrl;
    /** Sent with every call, e.g. the credentials. */
    private final Map<String, String> headers;

    public TwingressApi(String baseUrl) {
        this(baseUrl, Map.of());
    }

    public TwingressApi(String baseUrl, Map<String, String> headers) {
        this.baseUrl = baseUrl;
        this.headers = Map.copyOf(headers);
    }

    /** Uploads one DTDL v3 interface with double properties of the given names. */
    public void putModel(String dtmi, String... properties) throws Exception {
        StringBuilder contents = new StringBuilder();
        for (String property : properties) {
            contents.append(contents.length() == 0 ? "" : ",").append("{\"@type\":\"Property\",\"name\":\"")
                    .append(property).append("\",\"schema\":\"double\"}");
        }
        HttpResponse<String> upload = send("POST", "/models", "[{\"@id\":\"" + dtmi + "\",\"@type\":\"Interface\","
                + "\"@context\":\"dtmi:dtdl:context;3\",\"contents\":[" + contents + "]}]", Map.of());
        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);
    }

    public void putEndpoint(String name, String properties) throws Exception {
        HttpResponse<String> put = send("PUT", "/endpoints/" + name, "{\"properties\":" + properties + "}", Map.of());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    }

    public void putRoute(String id, String endpoint, String filter) throws Exception {
        String body = Json.write(Json.object().put("endpointName", endpoint).put("filter", filter));
        HttpResponse<String> put = send("PUT", "/eventroutes/" + id, body, Map.of());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(204);
    }

    public void deleteRouteAndEndpoint(String route, String endpoint) throws Exception {
        assertThat(send("DELETE", "/eventroutes/" + route, null, Map.of()).statusCode()).isEqualTo(204);
        assertThat(send("DELETE", "/endpoints/" + endpoint, null, Map.of()).statusCode()).isEqualTo(204);
    }

    /** Creates or replaces a twin; returns the twin as GET /digitaltwins/{id} shows it. */
    public JsonNode putTwin(String id, String body, Map<String, String> headers) throws Exception {
        HttpResponse<String> put = send("PUT", "/digitaltwins/" + id, body, headers);
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        return Json.parse(send("GET", "/digitaltwins/" + id, null, Map.of()).body());
    }

    public void patchTwin(String id, String patch, Map<String, String> headers) throws Exception {
        HttpResponse<String> patched = send("PATCH", "/digitaltwins/" + id, patch, headers);
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(204);
    }

    public void sendTelemetry(String id, String payload, Map<String, String> headers) throws Exception {
        HttpResponse<String> sent = send("POST", "/digitaltwins/" + id + "/telemetry", payload, headers);
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(204);
    }

    /** Waits until the endpoint keeps at least {@code count} dead letters, and returns them. */
    public List<JsonNode> awaitDeadLetters(String endpoint, int count, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        List<JsonNode> found = new ArrayList<>();
        while (System.nanoTime() < end) {
            found.clear();
            Json.parse(send("GET", "/endpoints/" + endpoint + "/deadletters", null, Map.of()).body()).get("value")
                    .forEach(found::add);
            if (found.size() >= count) {
                return found;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("expected " + count + " dead letters of " + endpoint + ", found " + found.size());
    }

    /** A call with the api-version every data-plane call needs. */
    public HttpResponse<String> send(String method, String path, String body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path
                        + (path.contains("?") ? "&" : "?") + API_VERSION))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        this.headers.forEach(request::header);
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
