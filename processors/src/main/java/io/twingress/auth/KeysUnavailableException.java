package io.twingress.auth;

/** The issuer's signing keys could not be fetched, so no token can be checked: the server's problem, not the caller's. */
public class KeysUnavailableException extends RuntimeException {

    public KeysUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
