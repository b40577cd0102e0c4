package io.twingress.api;

import java.util.Map;
import java.util.function.Function;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.AdtError;
import io.twingress.auth.Access;
import io.twingress.auth.Authentication;
import io.twingress.auth.AuthenticationException;
import io.twingress.auth.Credentials;
import io.twingress.auth.KeysUnavailableException;
import io.twingress.auth.OperationAccess;
import io.twingress.auth.Principal;
import io.twingress.limit.ClientRateLimiter;

/**
 * The check every API operation passes first: the client's request rate, then who the caller is, then whether
 * the caller's roles allow the operation (the REST operation's id looked up in {@link OperationAccess}). Failures
 * are ADT's errors: 429 with {@code Retry-After}, 401 with {@code WWW-Authenticate: Bearer}, 403.
 */
public final class ApiAccess {

    /** The exchange property that holds the caller once checked; no client can set a property. */
    public static final String PRINCIPAL = "TwingressPrincipal";

    private static final Logger LOG = LoggerFactory.getLogger(ApiAccess.class);

    private final Authentication authentication;
    private final ClientRateLimiter rateLimiter;
    private final Function<Exchange, String> clientAddress;
    private final String apiKeyHeader;

    /**
     * @param rateLimiter null for no rate limit
     * @param clientAddress the client's address as the HTTP server saw it (not a header the client can forge)
     * @param apiKeyHeader the header an API key may come in besides {@code Authorization: Bearer}
     */
    public ApiAccess(Authentication authentication, ClientRateLimiter rateLimiter,
            Function<Exchange, String> clientAddress, String apiKeyHeader) {
        this.authentication = authentication;
        this.rateLimiter = rateLimiter;
        this.clientAddress = clientAddress;
        this.apiKeyHeader = apiKeyHeader;
    }

    public Authentication authentication() {
        return authentication;
    }

    public void check(Exchange exchange) {
        if (exchange.getProperty(PRINCIPAL) != null) {
            return;
        }
        if (rateLimiter != null) {
            long wait = rateLimiter.acquire(clientAddress.apply(exchange));
            if (wait > 0) {
                throw AdtError.TOO_MANY_REQUESTS.with("Too many requests from this client; retry after " + wait
                        + " s.", Map.of("Retry-After", Long.toString(wait)));
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
