package io.twingress.auth;

/** Recognises a caller from a request's credentials. */
public interface Authenticator {

    /**
     * The caller these credentials prove.
     *
     * @throws AuthenticationException if they are missing or not valid
     * @throws KeysUnavailableException if they cannot be checked now
     */
    Principal authenticate(Credentials credentials);
}
