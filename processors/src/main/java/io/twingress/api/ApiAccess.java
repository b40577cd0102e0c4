package io.twingress.api;

import java.util.Map;
import java.util.function.Function;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.AdtError;
import io.twingress.AdtException;
import io.twingress.auth.Access;
import io.twingress.auth.Authentication;
import io.twingress.auth.AuthenticationException;
import io.twingress.auth.Credentials;
import io.twingress.auth.KeysUnavailableException;
import io.twingress.auth.OperationAccess;
import io.twingress.auth.Principal;
import io.twingress.limit.ClientRateLimiter;

/**
 * The check every API operation passes first: the client's request rate and whether it sent a credential at all
 * ({@link #admit}, by the HTTP server before the body is read), then who the caller is, then whether the caller's
 * roles allow the operation (the REST operation's id looked up in {@link OperationAccess}). Failures are ADT's
 * errors: 429 with {@code Retry-After}, 401 with {@code WWW-Authenticate: Bearer}, 403.
 */
public final class ApiAccess {

    /** The exchange property that holds the caller once checked; no client can set a property. */
    public static final String PRINCIPAL = "TwingressPrincipal";

    private static final Logger LOG = LoggerFactory.getLogger(ApiAccess.class);

    private final Authentication authentication;
    private final ClientRateLimiter rateLimiter;
    private final String apiKeyHeader;
    /** Set once an HTTP server admits requests ({@link #admit}), which counts their rate. */
    private volatile boolean admittedByServer;

    /**
     * @param rateLimiter null for no rate limit
     * @param apiKeyHeader the header an API key may come in besides {@code Authorization: Bearer}
     */
    public ApiAccess(Authentication authentication, ClientRateLimiter rateLimiter,
            String apiKeyHeader) {
        this.authentication = authentication;
        this.rateLimiter = rateLimiter;
        this.apiKeyHeader = apiKeyHeader;
    }

    public Authentication authentication() {
        return authentication;
    }

    /**
     * What the HTTP server checks of an API request before it reads the body: the client's rate, and, with
     * authentication on, that the request carries a credential at all, so that an anonymous sender cannot have large
     * bodies read. Null if the request may go on, else the error to answer. The credential itself is checked by
     * {@link #check}.
     *
     * @param client the client's address as the HTTP server saw it (not a header the client can forge)
     * @param needsCredential false for a path that is public (the OpenAPI document)
     * @param header a request header's value by name, or null
     */
    public AdtException admit(String client, boolean needsCredential, Function<String, String> header) {
        admittedByServer = true;
        AdtException limited = overRate(client);
        if (limited != null) {
            return limited;
        }
        if (needsCredential && !authentication.isOff() && header.apply("Authorization") == null
                && (apiKeyHeader.isBlank() || header.apply(apiKeyHeader) == null)) {
            try {
                authentication.authenticate(new Credentials(null, null));
            } catch (AuthenticationException e) {
                return AdtError.UNAUTHORIZED.with(e.getMessage(), Map.of("WWW-Authenticate", "Bearer"));
            }
        }
        return null;
    }

    /** 429 if the client is over its rate (the request counted), else null. */
    private AdtException overRate(String client) {
        long wait = rateLimiter == null ? 0 : rateLimiter.acquire(client);
        return wait == 0 ? null : AdtError.TOO_MANY_REQUESTS.with("Too many requests from this client; retry after "
                + wait + " s.", Map.of("Retry-After", Long.toString(wait)));
    }

    /**
     * Who the caller is and whether its roles allow the operation. The client's rate is counted here only where no
     * HTTP server calls {@link #admit} (a runtime without Twingress's HTTP guard); else it was, before the body.
     */
    public void check(Exchange exchange) {
        if (exchange.getProperty(PRINCIPAL) != null) {
            return;
        }
        if (!admittedByServer) {
            // the server's record of the connection (host:port), not a header a client sets; the host counts
            String remote = String.valueOf(exchange.getMessage().getHeader("CamelVertxPlatformHttpRemoteAddress"));
            AdtException limited = overRate(remote.replaceFirst(":[0-9]+$", ""));
            if (limited != null) {
                throw limited;
            }
        }
        String operation = exchange.getFromRouteId();
        Principal caller;
        try {
            ApiRequest request = ApiRequest.of(exchange);
            caller = authentication.authenticate(new Credentials(request.header("Authorization"),
                    apiKeyHeader.isBlank() ? null : request.header(apiKeyHeader)));
        } catch (AuthenticationException e) {
            // RFC 6750: a request without credentials gets the bare challenge, a bad credential says so
            throw AdtError.UNAUTHORIZED.with(e.getMessage(), Map.of("WWW-Authenticate", e.missing() ? "Bearer"
                    : "Bearer error=\"invalid_token\""));
        } catch (KeysUnavailableException e) {
            LOG.warn("Cannot check a bearer token: {}", e.getMessage());
            throw AdtError.SERVICE_UNAVAILABLE.with("The identity provider's signing keys cannot be fetched, so the"
                    + " token cannot be checked; try again later.", Map.of("Retry-After", "10"));
        }
        Access access = OperationAccess.required(operation);
        if (!access.allows(caller.roles())) {
            throw AdtError.FORBIDDEN.with("The caller '" + caller.name() + "' has " + (caller.roles().isEmpty()
                    ? "no Twingress role" : "the roles " + caller.roles()) + "; this operation needs one of "
                    + access.roles() + ".");
        }
        exchange.setProperty(PRINCIPAL, caller);
    }
}
