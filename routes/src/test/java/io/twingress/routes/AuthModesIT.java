package io.twingress.routes;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.twingress.Json;
import io.twingress.auth.ApiKeyAuthenticator;
import io.twingress.routes.testing.TestIssuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The authentication modes as a user configures them: API keys, keys and tokens together, and none. */
class AuthModesIT {

    static final String V = "api-version=2023-10-31";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String OWNER_KEY = "owner-key-5a7c1e0b9d2f4a6b8c";
    static final String DEVICE_KEY = "device-key-0f1e2d3c4b5a69788";
    static final String KEYS = "owner:" + ApiKeyAuthenticator.hash(OWNER_KEY) + ":DataOwner; device:"
            + ApiKeyAuthenticator.hash(DEVICE_KEY) + ":Ingest";

    @Test
    void apiKeysAsBearerOrHeaderWithTheirRoles() throws Exception {
        Path dir = Files.createTempDirectory("twingress-auth-apikey-it");
        // one key in the property, one in a file (a mounted secret)
        Path file = dir.resolve("keys.txt");
        Files.writeString(file, "# device keys\ndevice:" + ApiKeyAuthenticator.hash(DEVICE_KEY) + ":Ingest\n");
        try (TwingressServer server = TwingressServer.start(dir, Map.of("twingress.auth.mode", "apikey",
                "twingress.auth.apikeys", "owner:" + ApiKeyAuthenticator.hash(OWNER_KEY) + ":DataOwner",
                "twingress.auth.apikeysFile", file.toString()))) {
            assertThat(send(server, "GET", "/models?" + V, Map.of("Authorization", "Bearer " + OWNER_KEY))
                    .statusCode()).isEqualTo(200);
            assertThat(send(server, "GET", "/models?" + V, Map.of("api-key", OWNER_KEY)).statusCode()).isEqualTo(200);
            assertStatus(send(server, "GET", "/models?" + V, Map.of("api-key", OWNER_KEY + "x")), 401,
                    "Unauthorized");
            assertStatus(send(server, "GET", "/models?" + V, Map.of()), 401, "Unauthorized");
            // a key in the URL would end up in logs: refused, not read
            assertThat(send(server, "GET", "/models?" + V + "&api-key=" + OWNER_KEY, Map.of()).statusCode())
                    .isIn(400, 401);
            assertStatus(send(server, "GET", "/models?" + V, Map.of("api-key", DEVICE_KEY)), 403, "Forbidden");
            // the device may send telemetry: the twin does not exist, so 404, past the role check
            assertThat(send(server, "POST", "/digitaltwins/t1/telemetry?" + V, Map.of("api-key", DEVICE_KEY,
                    "Message-Id", "m1")).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void tokensAndKeysTogether() throws Exception {
        try (TestIssuer issuer = TestIssuer.start()) {
            Map<String, String> props = new HashMap<>(issuer.serverProperties());
            props.put("twingress.auth.mode", "oidc,apikey");
            props.put("twingress.auth.apikeys", KEYS);
            try (TwingressServer server = TwingressServer.start(Files.createTempDirectory("twingress-auth-both-it"),
                    props)) {
                assertThat(send(server, "GET", "/models?" + V, Map.of("Authorization", "Bearer "
                        + issuer.token("DataReader"))).statusCode()).isEqualTo(200);
                assertThat(send(server, "GET", "/models?" + V, Map.of("Authorization", "Bearer " + OWNER_KEY))
                        .statusCode()).isEqualTo(200);
                assertThat(send(server, "GET", "/models?" + V, Map.of("api-key", OWNER_KEY)).statusCode())
                        .isEqualTo(200);
                assertStatus(send(server, "GET", "/models?" + V, Map.of("Authorization", "Bearer a.b.c")), 401,
                        "Unauthorized");
            }
        }
    }

    @Test
    void noAuthenticationOnANetworkAddressIsRefusedUnlessSaidInSoManyWords() throws Exception {
        Path dir = Files.createTempDirectory("twingress-auth-none-it");
        assertThatThrownBy(() -> TwingressServer.start(dir, Map.of("camel.server.host", "0.0.0.0")).close())
                .rootCause().hasMessageContaining("0.0.0.0").hasMessageContaining("twingress.auth.allowUnauthenticated");
        try (TwingressServer server = TwingressServer.start(dir, Map.of("camel.server.host", "0.0.0.0",
                "twingress.auth.allowUnauthenticated", "true"))) {
            assertThat(send(server, "GET", "/models?" + V, Map.of()).statusCode()).isEqualTo(200);
        }
        assertThatThrownBy(() -> TwingressServer.start(dir, Map.of("twingress.auth.mode", "apikey")).close())
                .rootCause().hasMessageContaining("no key is configured");
        assertThatThrownBy(() -> TwingressServer.start(dir, Map.of("twingress.auth.mode", "oidc")).close())
                .rootCause().hasMessageContaining("twingress.auth.oidc.issuer");
        assertThatThrownBy(() -> TwingressServer.start(dir, Map.of("twingress.auth.mode", "password")).close())
                .rootCause().hasMessageContaining("twingress.auth.mode must be");
    }

    static void assertStatus(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("x-ms-error-code")).hasValue(code);
        assertThat(Json.parse(response.body()).at("/error/code").asText()).isEqualTo(code);
    }

    static HttpResponse<String> send(TwingressServer server, String method, String path, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).method(method,
                method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json");
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
