package io.twingress.routes;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.digitaltwins.core.BasicDigitalTwin;
import com.azure.digitaltwins.core.BasicDigitalTwinMetadata;
import com.azure.digitaltwins.core.DigitalTwinsClient;
import com.azure.digitaltwins.core.DigitalTwinsClientBuilder;
import com.azure.digitaltwins.core.models.DigitalTwinsModelData;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import io.twingress.Json;
import io.twingress.routes.testing.TestIssuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code twingress.auth.mode=oidc} against a real token issuer (discovery and JWKS over HTTP, tokens minted by the
 * test), over HTTPS, with raw requests and with the official ADT Java SDK.
 */
class AuthOidcIT {

    static final String V = "api-version=2023-10-31";

    static TestIssuer issuer;
    static TestTls tls;
    static TwingressServer server;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        issuer = TestIssuer.start();
        Path dir = Files.createTempDirectory("twingress-auth-oidc-it");
        tls = TestTls.create(dir);
        Map<String, String> props = new HashMap<>(tls.serverProperties());
        props.putAll(issuer.serverProperties());
        server = TwingressServer.start(dir, props);
        http = HttpClient.newBuilder().sslContext(tls.clientContext()).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (issuer != null) {
            issuer.close();
        }
    }

    @Test
    void aValidTokenIsLetIn() throws Exception {
        assertThat(get("/models?" + V, "Bearer " + issuer.token("DataReader")).statusCode()).isEqualTo(200);
        // the scheme is case-insensitive (RFC 6750 follows RFC 7235)
        assertThat(get("/models?" + V, "bearer " + issuer.token("DataReader")).statusCode()).isEqualTo(200);
    }

    @Test
    void noTokenIsAskedForOne() throws Exception {
        HttpResponse<String> response = get("/models?" + V, null);
        assertUnauthorized(response);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        // authentication comes before the api-version check: nothing is told to a stranger
        assertUnauthorized(get("/models", null));
    }

    @Test
    void badTokensAreRefused() throws Exception {
        Instant now = Instant.now();
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("expired", issuer.token(c -> c.expirationTime(Date.from(now.minusSeconds(600)))
                .claim("roles", List.of("DataOwner"))));
        bad.put("not yet valid", issuer.token(c -> c.notBeforeTime(Date.from(now.plusSeconds(600)))
                .claim("roles", List.of("DataOwner"))));
        bad.put("no expiry", issuer.token(c -> c.expirationTime(null).claim("roles", List.of("DataOwner"))));
        bad.put("wrong audience", issuer.token(c -> c.audience("api://someone-else")
                .claim("roles", List.of("DataOwner"))));
        bad.put("wrong issuer", issuer.token(c -> c.issuer("http://127.0.0.1:1/realms/twins")
                .claim("roles", List.of("DataOwner"))));
        // signed by another key that claims the issuer's kid
        RSAKey forger = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).keyID(issuer.key().getKeyID()).generate();
        bad.put("wrong signature", issuer.sign(forger, c -> c.claim("roles", List.of("DataOwner"))));
        String valid = issuer.token("DataOwner");
        String[] parts = valid.split("\\.");
        JWTClaimsSet claims = SignedJWT.parse(valid).getJWTClaimsSet();
        bad.put("alg none", new PlainJWT(claims).serialize());
        bad.put("alg none, signature kept", b64("{\"alg\":\"none\"}") + "." + parts[1] + "." + parts[2]);
        // the public key used as an HMAC secret: the classic algorithm confusion
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(issuer.key().getKeyID())
                .build(), claims);
        hmac.sign(new MACSigner(issuer.key().toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));
        bad.put("HS256 with the public key", hmac.serialize());
        bad.put("payload changed", parts[0] + "." + b64(parts[1].isEmpty() ? "" : new String(Base64.getUrlDecoder()
                .decode(parts[1]), StandardCharsets.UTF_8).replace("test-user", "root-user")) + "." + parts[2]);
        bad.put("malformed", "not.a.jwt");
        bad.put("two parts", parts[0] + "." + parts[1]);
        for (Map.Entry<String, String> token : bad.entrySet()) {
            HttpResponse<String> response = get("/models?" + V, "Bearer " + token.getValue());
            assertUnauthorized(response);
            assertThat(response.headers().firstValue("WWW-Authenticate")).as(token.getKey())
                    .hasValue("Bearer error=\"invalid_token\"");
        }
        assertUnauthorized(get("/models?" + V, "Basic dXNlcjpwYXNz"));
        assertUnauthorized(get("/models?" + V, "Bearer"));
        assertUnauthorized(get("/models?" + V, valid));
    }

    @Test
    void aRotatedKeyIsFetchedAndTheOldOneDropped() throws Exception {
        assertThat(get("/models?" + V, "Bearer " + issuer.token("DataReader")).statusCode()).isEqualTo(200);
        String before = issuer.token("DataReader");
        int fetches = issuer.jwksRequests();
        issuer.rotate();
        // the refetch interval of the test configuration is 1 s
        Thread.sleep(1_100);
        assertThat(get("/models?" + V, "Bearer " + issuer.token("DataReader")).statusCode()).isEqualTo(200);
        assertThat(issuer.jwksRequests()).isEqualTo(fetches + 1);
        assertUnauthorized(get("/models?" + V, "Bearer " + before));
        // unknown kids do not make the server fetch again and again: at most once per second
        RSAKey stranger = TestIssuer.newKey();
        int fetched = issuer.jwksRequests();
        long start = System.nanoTime();
        for (int i = 0; i < 30; i++) {
            assertUnauthorized(get("/models?" + V, "Bearer " + issuer.sign(stranger, c -> { })));
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertThat(issuer.jwksRequests()).isLessThanOrEqualTo(fetched + 2 + (int) seconds);
    }

    @Test
    void aRoleThatMayNotIsForbidden() throws Exception {
        HttpResponse<String> response = send("POST", "/models?" + V, "Bearer " + issuer.token("DataReader"), "[]");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("x-ms-error-code")).hasValue("Forbidden");
        JsonNode body = Json.parse(response.body());
        assertThat(body.at("/error/code").asText()).isEqualTo("Forbidden");
        assertThat(body.at("/error/message").asText()).contains("DataReader").contains("DataOwner");
        assertThat(send("POST", "/models?" + V, "Bearer " + issuer.token(), "[]").statusCode()).isEqualTo(403);
    }

    @Test
    void theAdtSdkWorksWithATokenFromTheIssuer() throws Exception {
        DigitalTwinsClient owner = sdk(issuer.token("DataOwner"));
        String space = new String(AuthOidcIT.class.getResourceAsStream("/models/space.json").readAllBytes(),
                StandardCharsets.UTF_8);
        Iterable<DigitalTwinsModelData> created = owner.createModels(List.of(space));
        assertThat(created).extracting(DigitalTwinsModelData::getModelId).containsExactly(AdtSdkScenarioIT.SPACE);
        owner.createOrReplaceDigitalTwin("room1", new BasicDigitalTwin("room1").setMetadata(
                new BasicDigitalTwinMetadata().setModelId(AdtSdkScenarioIT.SPACE)).addToContents("Temperature", 21),
                BasicDigitalTwin.class);

        DigitalTwinsClient reader = sdk(issuer.token("DataReader"));
        assertThat(reader.getDigitalTwin("room1", BasicDigitalTwin.class).getContents()).containsKey("Temperature");
        assertThat(reader.query("SELECT * FROM digitaltwins", BasicDigitalTwin.class))
                .extracting(BasicDigitalTwin::getId).contains("room1");
        assertThatThrownBy(() -> reader.deleteDigitalTwin("room1")).isInstanceOfSatisfying(
                HttpResponseException.class, e -> assertThat(e.getResponse().getStatusCode()).isEqualTo(403));

        DigitalTwinsClient expired = sdk(issuer.token(c -> c.expirationTime(Date.from(Instant.now()
                .minusSeconds(600))).claim("roles", List.of("DataOwner"))));
        assertThatThrownBy(() -> expired.getDigitalTwin("room1", BasicDigitalTwin.class)).isInstanceOfSatisfying(
                HttpResponseException.class, e -> assertThat(e.getResponse().getStatusCode()).isEqualTo(401));
    }

    private DigitalTwinsClient sdk(String token) throws Exception {
        TokenCredential credential = request -> Mono.just(new AccessToken(token, OffsetDateTime.now().plusMinutes(9)));
        var cert = tls.certificate();
        var netty = reactor.netty.http.client.HttpClient.create().secure(spec -> {
            try {
                spec.sslContext(SslContextBuilder.forClient().trustManager(cert).build());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return new DigitalTwinsClientBuilder().endpoint(server.baseUrl()).credential(credential)
                .httpClient(new NettyAsyncHttpClientBuilder(netty).build()).buildClient();
    }

    static void assertUnauthorized(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        assertThat(response.headers().firstValue("x-ms-error-code")).hasValue("Unauthorized");
        assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(Json.parse(response.body()).at("/error/code").asText()).isEqualTo("Unauthorized");
    }

    static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> get(String path, String authorization) throws Exception {
        return send("GET", path, authorization, null);
    }

    static HttpResponse<String> send(String method, String path, String authorization, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
