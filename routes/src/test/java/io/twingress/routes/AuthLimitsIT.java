package io.twingress.routes;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.twingress.Json;
import io.twingress.auth.ApiKeyAuthenticator;
import io.twingress.routes.testing.TestIssuer;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-client request rate, ADT's query length limit, and hostile Authorization headers. */
class AuthLimitsIT {

    static final String V = "api-version=2023-10-31";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aClientOverItsRateIsToldWhenToComeBack() throws Exception {
        try (TwingressServer server = TwingressServer.start(Files.createTempDirectory("twingress-rate-it"), Map.of(
                "twingress.limits.clientRequestsPerSecond", "0.5", "twingress.limits.clientRequestBurst", "5"))) {
            for (int i = 0; i < 5; i++) {
                assertThat(get(server, "/models?" + V, null).statusCode()).isEqualTo(200);
            }
            HttpResponse<String> limited = get(server, "/models?" + V, null);
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("x-ms-error-code")).hasValue("TooManyRequests");
            assertThat(limited.headers().firstValue("Retry-After")).hasValueSatisfying(s ->
                    assertThat(Integer.parseInt(s)).isBetween(1, 2));
            assertThat(Json.parse(limited.body()).at("/error/code").asText()).isEqualTo("TooManyRequests");
            // a form counts as a request too, and is limited before it is looked at
            HttpResponse<String> form = HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/models?" + V))
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers
                    .ofString("a=b")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(form.statusCode()).isEqualTo(429);
        }
    }

    @Test
    void aQueryLongerThanAdtAllowsIsRefused() throws Exception {
        try (TwingressServer server = TwingressServer.start(Files.createTempDirectory("twingress-query-it"),
                Map.of())) {
            String prefix = "SELECT * FROM DIGITALTWINS T WHERE T.$dtId = '";
            String atLimit = prefix + "x".repeat(8_000 - prefix.length() - 1) + "'";
            assertThat(atLimit).hasSize(8_000);
            assertThat(post(server, "/query?" + V, "{\"query\":\"" + atLimit + "\"}").statusCode()).isEqualTo(200);
            HttpResponse<String> tooLong = post(server, "/query?" + V, "{\"query\":\"" + atLimit + " \"}");
            assertThat(tooLong.statusCode()).isEqualTo(400);
            assertThat(Json.parse(tooLong.body()).at("/error/code").asText()).isEqualTo("SqlQueryError");
            assertThat(Json.parse(tooLong.body()).at("/error/message").asText()).contains("8000");
        }
    }

    /** Random, huge, dotted and base64 garbage as credentials, with tokens and keys both on: 401, never 5xx. */
    @Test
    void malformedCredentialsAreRefusedCheaply() throws Exception {
        try (TestIssuer issuer = TestIssuer.start()) {
            Map<String, String> props = new HashMap<>(issuer.serverProperties());
            props.put("twingress.auth.mode", "oidc,apikey");
            props.put("twingress.auth.apikeys", "k:" + ApiKeyAuthenticator.hash("a-real-key-123456789012") + ":DataOwner");
            try (TwingressServer server = TwingressServer.start(Files.createTempDirectory("twingress-auth-fuzz-it"),
                    props)) {
                Random random = new Random(12);
                String[] jsonHeaders = {"{\"alg\":\"none\"}", "{\"alg\":\"HS256\",\"kid\":\"x\"}",
                        "{\"alg\":\"RS256\",\"jku\":\"http://127.0.0.1:1/keys\"}", "{\"alg\":\"RS256\",\"crit\":[\"b64\"]}",
                        "{\"alg\":\"RS256\",\"kid\":\"" + "k".repeat(3000) + "\"}", "{", "[]", "null",
                        "{\"alg\":\"RS256\",\"jwk\":" + issuer.key().toPublicJWK().toJSONString() + "}"};
                for (int i = 0; i < 300; i++) {
                    String value = switch (i % 6) {
                        case 0 -> printable(random, random.nextInt(200));
                        case 1 -> "Bearer " + ".".repeat(1 + random.nextInt(5000));
                        case 2 -> "Bearer " + b64(random, 1 + random.nextInt(300)) + "." + b64(random, random.nextInt(300))
                                + "." + b64(random, random.nextInt(300));
                        case 3 -> "Bearer " + b64(jsonHeaders[random.nextInt(jsonHeaders.length)]) + "."
                                + b64("{\"iss\":\"" + issuer.issuer() + "\",\"aud\":\"" + TestIssuer.AUDIENCE
                                + "\",\"exp\":9999999999,\"roles\":[\"DataOwner\"]}") + "." + b64(random, 256);
                        case 4 -> "Bearer " + printable(random, 6000 + random.nextInt(1500));
                        default -> random.nextBoolean() ? "Bearer" : "Bearer " + "a.".repeat(random.nextInt(2000));
                    };
                    HttpResponse<String> response = get(server, "/digitaltwins/t1?" + V, value);
                    assertThat(response.statusCode()).as(value.length() > 200 ? value.substring(0, 200) : value)
                            .isEqualTo(401);
                    assertThat(Json.parse(response.body()).at("/error/code").asText()).isEqualTo("Unauthorized");
                }
                // bytes no HTTP client would send: never a 5xx, and the server keeps serving
                for (int i = 0; i < 50; i++) {
                    byte[] garbage = new byte[1 + random.nextInt(i % 10 == 0 ? 20_000 : 500)];
                    random.nextBytes(garbage);
                    int status = raw(server, garbage);
                    // -1: the server answered a header over its limit and closed before the request was written
                    if (status != -1) {
                        assertThat(status).isBetween(400, 499);
                    }
                }
                // a request with no credential is answered before its body is read, a form's included
                assertThat(beforeBody(server, "application/json")).startsWith("HTTP/1.1 401");
                assertThat(beforeBody(server, "application/x-www-form-urlencoded")).startsWith("HTTP/1.1 401");
                // the OpenAPI document stays public
                assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/openapi.json")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
                assertThat(get(server, "/models?" + V, "Bearer " + issuer.token("DataReader")).statusCode())
                        .isEqualTo(200);
            }
        }
    }

    /**
     * The status line and headers of the answer to a POST that announces 10 MB of body and sends none: an answer
     * at all shows the server did not wait for the body.
     */
    private static String beforeBody(TwingressServer server, String contentType) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", URI.create(server.baseUrl()).getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /models?" + V + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                    + contentType + "\r\nContent-Length: 10000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        }
    }

    /**
     * A GET whose Authorization header value is {@code value} byte for byte (CR and LF replaced); the status, or -1
     * if the server closed the connection before the request was written.
     */
    private static int raw(TwingressServer server, byte[] value) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", URI.create(server.baseUrl()).getPort())) {
            socket.setSoTimeout(10_000);
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.write(("GET /models?" + V + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ")
                    .getBytes(StandardCharsets.US_ASCII));
            for (byte b : value) {
                request.write(b == '\r' || b == '\n' ? 'x' : b);
            }
            request.write("\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            try {
                OutputStream out = socket.getOutputStream();
                out.write(request.toByteArray());
                out.flush();
                InputStream in = socket.getInputStream();
                String statusLine = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
                return Integer.parseInt(statusLine.substring(9, 12));
            } catch (SocketException e) {
                return -1;
            }
        }
    }

    private static String printable(Random random, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) (0x21 + random.nextInt(0x7e - 0x21)));
        }
        return text.toString();
    }

    private static String b64(Random random, int bytes) {
        byte[] data = new byte[bytes];
        random.nextBytes(data);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(data);
    }

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> get(TwingressServer server, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(TwingressServer server, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
