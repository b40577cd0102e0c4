package io.twingress.routes;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.twingress.auth.ApiKeyAuthenticator;
import io.twingress.auth.ApiKeyFile;
import io.twingress.auth.Authentication;
import io.twingress.auth.Authenticator;
import io.twingress.auth.HttpFetcher;
import io.twingress.auth.OidcAuthenticator;

/** Builds the authentication from the twingress.auth.* settings, and refuses a configuration that leaves the API open. */
final class AuthSettings {

    private AuthSettings() {
    }

    /**
     * @param mode none, oidc, apikey, or oidc,apikey
     * @param host where the API listens (camel.server.host)
     * @param property the value of a setting, "" when unset
     */
    static Authentication authentication(String mode, String host, boolean allowUnauthenticated,
            Function<String, String> property) {
        Set<String> modes = Arrays.stream(mode.split(",")).map(String::strip).filter(m -> !m.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
        if (modes.isEmpty() || !Set.of("none", "oidc", "apikey").containsAll(modes)
                || (modes.contains("none") && modes.size() > 1)) {
            throw new IllegalArgumentException("twingress.auth.mode must be none, oidc, apikey or oidc,apikey, not '"
                    + mode + "'.");
        }
        if (modes.contains("none")) {
            if (!isLoopback(host) && !allowUnauthenticated) {
                throw new IllegalStateException("Twingress will not serve its API on " + host + " without"
                        + " authentication: anyone who can reach that address could read and change every twin. Set"
                        + " twingress.auth.mode to oidc or apikey, or listen on 127.0.0.1 (camel.server.host), or,"
                        + " if something in front of Twingress authenticates every request, set"
                        + " twingress.auth.allowUnauthenticated=true.");
            }
            return Authentication.none();
        }
        OidcAuthenticator oidc = null;
        if (modes.contains("oidc")) {
            Set<String> audiences = Arrays.stream(property.apply("twingress.auth.oidc.audience").split(","))
                    .map(String::strip).filter(a -> !a.isEmpty()).collect(Collectors.toSet());
            oidc = new OidcAuthenticator(new OidcAuthenticator.Settings(property.apply("twingress.auth.oidc.issuer"),
                    audiences, property.apply("twingress.auth.oidc.jwksUri"),
                    property.apply("twingress.auth.oidc.rolesClaim"),
                    Duration.parse(property.apply("twingress.auth.oidc.clockSkew")),
                    Duration.parse(property.apply("twingress.auth.oidc.jwksMaxAge")),
                    Duration.parse(property.apply("twingress.auth.oidc.jwksMinRefetchInterval"))),
                    HttpFetcher.jdk(Duration.parse(property.apply("twingress.auth.oidc.fetchTimeout"))),
                    Clock.systemUTC());
        }
        Authenticator keys = null;
        if (modes.contains("apikey")) {
            String text = property.apply("twingress.auth.apikeys");
            String file = property.apply("twingress.auth.apikeysFile");
            if (file.isBlank()) {
                ApiKeyAuthenticator inline = ApiKeyAuthenticator.parse(text);
                if (inline.size() == 0) {
                    throw new IllegalArgumentException("twingress.auth.mode includes apikey but no key is configured:"
                            + " set twingress.auth.apikeys or twingress.auth.apikeysFile.");
                }
                keys = inline;
            } else {
                try {
                    // it refuses no key at all too
                    keys = new ApiKeyFile(text, Path.of(file), Clock.systemUTC());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("twingress.auth.apikeys with twingress.auth.apikeysFile: "
                            + e.getMessage(), e);
                }
            }
        }
        return Authentication.of(oidc, keys);
    }

    static boolean isLoopback(String host) {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            InetAddress[] addresses = InetAddress.getAllByName(name);
            return addresses.length > 0 && Arrays.stream(addresses).allMatch(InetAddress::isLoopbackAddress);
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
