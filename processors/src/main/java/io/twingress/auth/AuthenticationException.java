package io.twingress.auth;

/**
 * A request whose credentials are missing or not valid; the message says which, without repeating the credential.
 * {@link #missing()} tells a request that sent none (which is answered without an {@code error} attribute, as
 * RFC 6750 asks) from one that sent a bad one.
 */
public class AuthenticationException extends RuntimeException {

    private final boolean missing;

    public AuthenticationException(String message, boolean missing) {
        super(message, null, false, false);
        this.missing = missing;
    }

    public static AuthenticationException invalid(String message) {
        return new AuthenticationException(message, false);
    }

    public boolean missing() {
        return missing;
    }
}
