package io.twingress.auth;

import java.io.IOException;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issuer's signing keys, fetched on first use and kept. They are fetched again when they are older than
 * {@code maxAge}, and when a token names a key the cache does not hold (the issuer rotated its keys), but never
 * more often than once per {@code minRefetchInterval}: tokens with made-up key ids cannot make the server hammer
 * the issuer. If a fetch fails, the keys held are kept; with none held, tokens cannot be checked.
 */
final class JwksCache implements JWKSource<SecurityContext> {

    private static final Logger LOG = LoggerFactory.getLogger(JwksCache.class);

    private record Snapshot(JWKSet keys, Instant fetchedAt) {
    }

    private final Supplier<URI> jwksUri;
    private final HttpFetcher fetcher;
    private final Clock clock;
    private final Duration maxAge;
    private final Duration minRefetchInterval;
    private volatile Snapshot snapshot;
    /** When the last fetch was tried, under the lock of {@link #refresh}. */
    private Instant lastAttempt;
    private int fetches;

    JwksCache(Supplier<URI> jwksUri, HttpFetcher fetcher, Clock clock, Duration maxAge, Duration minRefetchInterval) {
        this.jwksUri = jwksUri;
        this.fetcher = fetcher;
        this.clock = clock;
        this.maxAge = maxAge;
        this.minRefetchInterval = minRefetchInterval;
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) {
        Snapshot current = snapshot;
        if (current == null || current.fetchedAt().plus(maxAge).isBefore(clock.instant())) {
            current = refresh(current);
        }
        List<JWK> matches = selector.select(current.keys());
        if (matches.isEmpty()) {
            // an unknown key id: the issuer may have rotated its keys since the last fetch
            Snapshot again = refresh(current);
            if (again != current) {
                matches = selector.select(again.keys());
            }
        }
        return matches;
    }

    /**
     * Fetches the keys, unless another thread just did or the last attempt was too recent; returns the keys to
     * use, which are {@code seen} when nothing was fetched.
     */
    private synchronized Snapshot refresh(Snapshot seen) {
        Snapshot current = snapshot;
        if (current != seen && current != null) {
            return current;
        }
        Instant now = clock.instant();
        if (lastAttempt != null && now.isBefore(lastAttempt.plus(minRefetchInterval))) {
            if (current == null) {
                throw new KeysUnavailableException("The issuer's signing keys could not be fetched; tried again after "
                        + minRefetchInterval + ".", null);
            }
            return current;
        }
        lastAttempt = now;
        URI uri = null;
        try {
            uri = jwksUri.get();
            JWKSet keys = JWKSet.parse(fetcher.get(uri));
            fetches++;
            snapshot = new Snapshot(keys, now);
            LOG.debug("Fetched {} signing keys from {}", keys.getKeys().size(), uri);
            return snapshot;
        } catch (IOException | ParseException | RuntimeException e) {
            LOG.warn("Cannot fetch the issuer's signing keys from {}: {}", uri == null ? "discovery" : uri,
                    e.toString());
            if (current == null) {
                throw new KeysUnavailableException("The issuer's signing keys could not be fetched: " + e.getMessage(),
                        e);
            }
            return current;
        }
    }

    /** How many times keys were fetched successfully; for tests. */
    synchronized int fetches() {
        return fetches;
    }
}
