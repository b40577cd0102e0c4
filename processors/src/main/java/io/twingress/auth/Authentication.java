package io.twingress.auth;

import java.util.ArrayList;
import java.util.List;

/**
 * The configured way of recognising callers ({@code twingress.auth.mode}): nobody checked ({@code none}), OpenID
 * Connect tokens ({@code oidc}), API keys ({@code apikey}), or both of the latter. With both, a key in the API-key
 * header is checked as a key, and a bearer value shaped like a JWT (three dot-separated parts) as a token.
 */
public final class Authentication implements Authenticator {

    private final Authenticator oidc;
    private final Authenticator apiKeys;
    private final boolean none;

    private Authentication(Authenticator oidc, Authenticator apiKeys, boolean none) {
        this.oidc = oidc;
        this.apiKeys = apiKeys;
        this.none = none;
    }

    /** Anyone may do anything. */
    public static Authentication none() {
        return new Authentication(null, null, true);
    }

    /** Tokens, keys or both; at least one must be given. */
    public static Authentication of(Authenticator oidc, Authenticator apiKeys) {
        if (oidc == null && apiKeys == null) {
            throw new IllegalArgumentException("an authentication mode needs tokens or keys");
        }
        return new Authentication(oidc, apiKeys, false);
    }

    public boolean isOff() {
        return none;
    }

    /** The mode, as the configuration names it. */
    public String mode() {
        if (none) {
            return "none";
        }
        List<String> modes = new ArrayList<>();
        if (oidc != null) {
            modes.add("oidc");
        }
        if (apiKeys != null) {
            modes.add("apikey");
        }
        return String.join(",", modes);
    }

    @Override
    public Principal authenticate(Credentials credentials) {
        if (none) {
            return Principal.anonymous();
        }
        if (credentials.apiKey() != null && credentials.authorization() != null) {
            // two credentials, possibly of two callers: neither is taken over the other
            throw AuthenticationException.invalid("The request has both an Authorization header and the API-key"
                    + " header: send one credential.");
        }
        if (credentials.apiKey() != null && apiKeys != null) {
            return apiKeys.authenticate(credentials);
        }
        String bearer = credentials.bearer();
        if (bearer == null) {
            if (credentials.authorization() != null && !credentials.authorization().isBlank()) {
                throw AuthenticationException.invalid("The Authorization header must be 'Bearer <"
                        + (oidc != null ? "token" : "key") + ">'.");
            }
            throw new AuthenticationException("The request has no credentials: send 'Authorization: Bearer <"
                    + (oidc != null ? "token" : "key") + ">'" + (apiKeys != null ? " or the API-key header" : "")
                    + ".", true);
        }
        if (oidc != null && (apiKeys == null || bearer.chars().filter(c -> c == '.').count() == 2)) {
            return oidc.authenticate(credentials);
        }
        return apiKeys.authenticate(credentials);
    }
}
