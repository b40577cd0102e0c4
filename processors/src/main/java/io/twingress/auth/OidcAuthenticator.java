package io.twingress.auth;

import java.io.IOException;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import io.twingress.Json;

/**
 * Checks JWT bearer tokens from an OpenID Connect issuer: the signature against the issuer's published keys (with
 * an asymmetric algorithm only, so neither {@code alg: none} nor a key used as an HMAC secret passes), the issuer,
 * the audience, the expiry and not-before times within a small clock skew. The roles come from a claim, which may
 * be nested ({@code realm_access.roles} in Keycloak) and may be a list or a space-separated string; names that are
 * not Twingress roles are ignored.
 */
public final class OidcAuthenticator implements Authenticator {

    /** Longer tokens are refused before they are parsed. */
    static final int MAX_TOKEN_LENGTH = 16 * 1024;

    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
            JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    /**
     * @param issuer the {@code iss} tokens must carry; discovery is read from it
     * @param audiences the {@code aud} values accepted (a token must carry one)
     * @param jwksUri where the keys are; null or blank: from the issuer's discovery document
     * @param rolesClaim the claim holding the roles, dots for nesting
     * @param clockSkew how far the clocks of issuer and server may differ
     * @param jwksMaxAge after this, keys are fetched again on next use
     * @param jwksMinRefetchInterval keys are fetched at most once per this interval
     */
    public record Settings(String issuer, Set<String> audiences, String jwksUri, String rolesClaim,
            Duration clockSkew, Duration jwksMaxAge, Duration jwksMinRefetchInterval) {

        public Settings {
            if (issuer == null || issuer.isBlank()) {
                throw new IllegalArgumentException("twingress.auth.oidc.issuer must be set when"
                        + " twingress.auth.mode is oidc.");
            }
            if (audiences == null || audiences.isEmpty()) {
                throw new IllegalArgumentException("twingress.auth.oidc.audience must be set when"
                        + " twingress.auth.mode is oidc: the value of the tokens' aud claim for this API.");
            }
            audiences = Set.copyOf(audiences);
        }
    }

    private final Settings settings;
    private final JwksCache keys;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private volatile URI discoveredJwksUri;

    public OidcAuthenticator(Settings settings, HttpFetcher fetcher, Clock clock) {
        this.settings = settings;
        this.keys = new JwksCache(() -> jwksUri(fetcher), fetcher, clock, settings.jwksMaxAge(),
                settings.jwksMinRefetchInterval());
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT,
                new JOSEObjectType("at+jwt"), null));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(settings.audiences(),
                new JWTClaimsSet.Builder().issuer(settings.issuer()).build(), Set.of("exp"), null) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        claims.setMaxClockSkew((int) settings.clockSkew().toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    @Override
    public Principal authenticate(Credentials credentials) {
        String token = credentials.bearer();
        if (token == null) {
            throw new AuthenticationException("The request needs a bearer token: 'Authorization: Bearer <JWT>'.",
                    true);
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw AuthenticationException.invalid("The bearer token is longer than " + MAX_TOKEN_LENGTH
                    + " characters.");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw AuthenticationException.invalid("The bearer token is not a JWT.");
        } catch (BadJOSEException e) {
            throw AuthenticationException.invalid("The bearer token is not valid: " + brief(e.getMessage()) + ".");
        } catch (JOSEException | RuntimeException e) {
            if (e instanceof KeysUnavailableException unavailable) {
                throw unavailable;
            }
            throw AuthenticationException.invalid("The bearer token's signature cannot be checked.");
        }
        String subject = claims.getSubject();
        return new Principal(subject == null ? "unknown" : subject, roles(claims), "oidc");
    }

    private Set<Role> roles(JWTClaimsSet claims) {
        Object value = claims.getClaims();
        for (String part : settings.rolesClaim().split("\\.")) {
            value = value instanceof Map<?, ?> map ? map.get(part) : null;
        }
        List<String> names = new ArrayList<>();
        if (value instanceof Collection<?> list) {
            list.forEach(v -> names.add(String.valueOf(v)));
        } else if (value instanceof String text) {
            names.addAll(List.of(text.split("[\\s,]+")));
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        names.forEach(n -> Role.named(n).ifPresent(roles::add));
        return roles;
    }

    /** The configured key URI, else the one the issuer's discovery document names. */
    private URI jwksUri(HttpFetcher fetcher) {
        if (settings.jwksUri() != null && !settings.jwksUri().isBlank()) {
            return URI.create(settings.jwksUri());
        }
        URI known = discoveredJwksUri;
        if (known != null) {
            return known;
        }
        String issuer = settings.issuer();
        URI discovery = URI.create((issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer)
                + "/.well-known/openid-configuration");
        JsonNode document;
        try {
            document = Json.parse(fetcher.get(discovery));
        } catch (IOException e) {
            throw new KeysUnavailableException("The issuer's discovery document " + discovery
                    + " could not be fetched.", e);
        }
        // OpenID Connect Discovery 1.0, 4.3: the document's issuer must be the one it was fetched for
        if (!issuer.equals(document.path("issuer").asText())) {
            throw new KeysUnavailableException("The discovery document " + discovery + " names the issuer '"
                    + document.path("issuer").asText() + "', not '" + issuer + "'.", null);
        }
        String jwks = document.path("jwks_uri").asText();
        if (jwks.isBlank()) {
            throw new KeysUnavailableException("The discovery document " + discovery + " has no jwks_uri.", null);
        }
        discoveredJwksUri = URI.create(jwks);
        return discoveredJwksUri;
    }

    int keyFetches() {
        return keys.fetches();
    }

    private static String brief(String message) {
        if (message == null) {
            return "rejected";
        }
        String oneLine = message.replaceAll("[\\p{Cntrl}]", " ");
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
    }
}
