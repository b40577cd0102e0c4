package io.twingress.auth;

import java.util.Set;

/**
 * Who sent a request, as far as the server has checked it.
 *
 * @param name the token's subject, the API key's name, or {@code anonymous}
 * @param roles what the caller may do; empty is a caller who may do nothing
 * @param method how the caller was recognised: {@code oidc}, {@code apikey} or {@code none}
 */
public record Principal(String name, Set<Role> roles, String method) {

    public Principal {
        roles = Set.copyOf(roles);
    }

    /** Whoever calls when authentication is off: allowed everything. */
    public static Principal anonymous() {
        return new Principal("anonymous", Set.of(Role.values()), "none");
    }
}
