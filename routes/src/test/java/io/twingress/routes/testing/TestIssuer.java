package io.twingress.routes.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real OpenID Connect token issuer for tests: an HTTP server on 127.0.0.1 serving the discovery document and the
 * JWKS, and tokens the test mints with its RSA key. {@link #rotate()} replaces the key (and its kid) the way an
 * identity provider rotates its signing keys: only the new public key is published from then on.
 */
public final class TestIssuer implements AutoCloseable {

    public static final String AUDIENCE = "api://twingress-test";
    public static final String REALM = "/realms/twins";

    private final HttpServer server;
    private final String issuer;
    private final AtomicInteger jwksRequests = new AtomicInteger();
    private volatile RSAKey key;

    private TestIssuer(HttpServer server) throws JOSEException {
        this.server = server;
        this.issuer = "http://127.0.0.1:" + server.getAddress().getPort() + REALM;
        this.key = newKey();
    }

    public static TestIssuer start() throws IOException, JOSEException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "test-issuer");
            thread.setDaemon(true);
            return thread;
        }));
        TestIssuer issuer = new TestIssuer(server);
        server.createContext(REALM + "/.well-known/openid-configuration", exchange -> issuer.send(exchange,
                "{\"issuer\":\"" + issuer.issuer + "\",\"jwks_uri\":\"" + issuer.issuer
                        + "/protocol/openid-connect/certs\",\"id_token_signing_alg_values_supported\":[\"RS256\"]}"));
        server.createContext(REALM + "/protocol/openid-connect/certs", exchange -> {
            issuer.jwksRequests.incrementAndGet();
            issuer.send(exchange, new JWKSet(issuer.key).toPublicJWKSet().toString());
        });
        server.start();
        return issuer;
    }

    /** The issuer URL tokens carry and discovery starts from. */
    public String issuer() {
        return issuer;
    }

    /** The Twingress settings that trust this issuer (discovery, no JWKS URL given). */
    public java.util.Map<String, String> serverProperties() {
        return java.util.Map.of("twingress.auth.mode", "oidc", "twingress.auth.oidc.issuer", issuer,
                "twingress.auth.oidc.audience", AUDIENCE, "twingress.auth.oidc.jwksMinRefetchInterval", "PT1S");
    }

    /** A valid token for 10 minutes, with these roles in the {@code roles} claim. */
    public String token(String... roles) {
        return token(claims -> claims.claim("roles", List.of(roles)));
    }

    /** A token of valid claims changed by {@code change}, signed with the current key. */
    public String token(Consumer<JWTClaimsSet.Builder> change) {
        return sign(key, change);
    }

    /** A token signed with {@code signingKey} under its kid. */
    public String sign(RSAKey signingKey, Consumer<JWTClaimsSet.Builder> change) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(issuer).audience(AUDIENCE)
                .subject("test-user").issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(600))).jwtID(UUID.randomUUID().toString());
        change.accept(claims);
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signingKey.getKeyID())
                    .build(), claims.build());
            jwt.sign(new RSASSASigner(signingKey));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The current signing key (private part included, for tests that forge with it or with another). */
    public RSAKey key() {
        return key;
    }

    /** Switches to a new key with a new kid, and publishes only that one. */
    public RSAKey rotate() throws JOSEException {
        key = newKey();
        return key;
    }

    public static RSAKey newKey() throws JOSEException {
        return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
    }

    /** How many times the JWKS was fetched. */
    public int jwksRequests() {
        return jwksRequests.get();
    }

    private void send(HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
