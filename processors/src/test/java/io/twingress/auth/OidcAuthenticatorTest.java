package io.twingress.auth;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The token checks with keys served from memory and a clock the test moves; AuthOidcIT does it over HTTP. */
class OidcAuthenticatorTest {

    static final String ISSUER = "https://issuer.example/realms/twins";
    static final URI DISCOVERY = URI.create(ISSUER + "/.well-known/openid-configuration");
    static final URI JWKS = URI.create("https://issuer.example/keys");

    final MovingClock clock = new MovingClock();
    final Map<URI, String> documents = new HashMap<>();
    final AtomicInteger jwksFetches = new AtomicInteger();
    final HttpFetcher fetcher = uri -> {
        if (uri.equals(JWKS)) {
            jwksFetches.incrementAndGet();
        }
        String body = documents.get(uri);
        if (body == null) {
            throw new IOException("404 " + uri);
        }
        return body;
    };

    OidcAuthenticator authenticator(String rolesClaim) {
        return new OidcAuthenticator(new OidcAuthenticator.Settings(ISSUER, Set.of("api://twingress"), "", rolesClaim,
                Duration.ofSeconds(60), Duration.ofHours(1), Duration.ofSeconds(30)), fetcher, clock);
    }

    static RSAKey key(String kid) throws Exception {
        return new RSAKeyGenerator(2048).keyID(kid).generate();
    }

    void publish(RSAKey... keys) {
        documents.put(DISCOVERY, "{\"issuer\":\"" + ISSUER + "\",\"jwks_uri\":\"" + JWKS + "\"}");
        documents.put(JWKS, new JWKSet(List.of(keys)).toPublicJWKSet().toString());
    }

    String token(RSAKey key, Map<String, Object> extraClaims) throws Exception {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(ISSUER).audience("api://twingress")
                .subject("alice").expirationTime(Date.from(clock.instant().plusSeconds(600)));
        extraClaims.forEach(claims::claim);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                claims.build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    @Test
    void rolesComeFromAListAStringOrANestedClaim() throws Exception {
        RSAKey key = key("k1");
        publish(key);
        assertThat(authenticator("roles").authenticate(bearer(token(key, Map.of("roles",
                List.of("DataReader", "Operator", "SomethingElse")))))).isEqualTo(new Principal("alice",
                Set.of(Role.DATA_READER, Role.OPERATOR), "oidc"));
        assertThat(authenticator("scp").authenticate(bearer(token(key, Map.of("scp", "Ingest DataReader")))).roles())
                .containsExactlyInAnyOrder(Role.INGEST, Role.DATA_READER);
        assertThat(authenticator("realm_access.roles").authenticate(bearer(token(key, Map.of("realm_access",
                Map.of("roles", List.of("DataOwner")))))).roles()).containsExactly(Role.DATA_OWNER);
        assertThat(authenticator("roles").authenticate(bearer(token(key, Map.of()))).roles()).isEmpty();
    }

    @Test
    void unknownKeyIdsRefetchTheKeysAtMostOncePerInterval() throws Exception {
        RSAKey old = key("old");
        publish(old);
        OidcAuthenticator oidc = authenticator("roles");
        oidc.authenticate(bearer(token(old, Map.of())));
        assertThat(jwksFetches).hasValue(1);

        // made-up key ids: one refetch, then none until the interval has passed
        clock.advance(Duration.ofSeconds(31));
        RSAKey stranger = key("stranger");
        for (int i = 0; i < 20; i++) {
            String forged = token(stranger, Map.of());
            assertThatThrownBy(() -> oidc.authenticate(bearer(forged))).isInstanceOf(AuthenticationException.class);
        }
        assertThat(jwksFetches).hasValue(2);

        // the issuer rotates: a token with the new key id is taken once the interval allows a refetch
        RSAKey rotated = key("new");
        publish(rotated);
        clock.advance(Duration.ofSeconds(31));
        assertThat(oidc.authenticate(bearer(token(rotated, Map.of()))).name()).isEqualTo("alice");
        assertThat(jwksFetches).hasValue(3);
        String oldToken = token(old, Map.of());
        assertThatThrownBy(() -> oidc.authenticate(bearer(oldToken))).isInstanceOf(AuthenticationException.class);
    }

    @Test
    void keysAreFetchedAgainWhenOldAndKeptWhenTheIssuerIsDown() throws Exception {
        RSAKey key = key("k1");
        publish(key);
        OidcAuthenticator oidc = authenticator("roles");
        oidc.authenticate(bearer(token(key, Map.of())));
        documents.remove(JWKS);
        clock.advance(Duration.ofHours(2));
        assertThat(oidc.authenticate(bearer(token(key, Map.of()))).name()).isEqualTo("alice");
        assertThat(jwksFetches).hasValue(2);
    }

    @Test
    void noKeysMeansTheServerCannotCheckNotThatTheTokenIsBad() throws Exception {
        RSAKey key = key("k1");
        OidcAuthenticator oidc = authenticator("roles");
        String token = token(key, Map.of());
        assertThatThrownBy(() -> oidc.authenticate(bearer(token))).isInstanceOf(KeysUnavailableException.class);
        // a discovery document for another issuer is not followed
        documents.put(DISCOVERY, "{\"issuer\":\"https://evil.example\",\"jwks_uri\":\"" + JWKS + "\"}");
        documents.put(JWKS, new JWKSet(key).toPublicJWKSet().toString());
        clock.advance(Duration.ofSeconds(31));
        assertThatThrownBy(() -> oidc.authenticate(bearer(token))).isInstanceOf(KeysUnavailableException.class)
                .hasMessageContaining("evil.example");
    }

    @Test
    void expiryAndNotBeforeAllowTheClockSkew() throws Exception {
        RSAKey key = key("k1");
        publish(key);
        OidcAuthenticator oidc = authenticator("roles");
        String token = token(key, Map.of("nbf", Date.from(clock.instant().plusSeconds(30))));
        assertThat(oidc.authenticate(bearer(token)).name()).isEqualTo("alice");
        clock.advance(Duration.ofSeconds(600 + 50));
        assertThat(oidc.authenticate(bearer(token)).name()).isEqualTo("alice");
        clock.advance(Duration.ofSeconds(20));
        assertThatThrownBy(() -> oidc.authenticate(bearer(token))).isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("xpired");
    }

    static Credentials bearer(String token) {
        return new Credentials("Bearer " + token, null);
    }

    static final class MovingClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
