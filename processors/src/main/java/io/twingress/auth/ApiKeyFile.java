package io.twingress.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.Json;

/**
 * The API keys of {@code twingress.auth.apikeys} and of {@code twingress.auth.apikeysFile}, whose content is read
 * again when it changes (a mounted Kubernetes secret is updated in place, so a key is added or revoked without a
 * restart): the first request after each {@link #CHECK_PERIOD} looks. A file that cannot be read, does not parse or
 * leaves no key at all is refused with a log line, and the keys before stay in force.
 */
public final class ApiKeyFile implements Authenticator {

    private static final Logger LOG = LoggerFactory.getLogger(ApiKeyFile.class);
    static final Duration CHECK_PERIOD = Duration.ofSeconds(5);

    private final String inline;
    private final Path file;
    private final Clock clock;
    private volatile ApiKeyAuthenticator keys;
    private byte[] loaded;
    private volatile Instant nextCheck;

    /**
     * @throws IllegalArgumentException if the file cannot be read, an entry is wrong, or there is no key at all
     */
    public ApiKeyFile(String inline, Path file, Clock clock) {
        this.inline = inline;
        this.file = file;
        this.clock = clock;
        try {
            loaded = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read twingress.auth.apikeysFile " + file + ": " + e, e);
        }
        keys = parse(loaded);
        nextCheck = clock.instant().plus(CHECK_PERIOD);
    }

    /** How many keys are in force. */
    public int size() {
        return keys.size();
    }

    @Override
    public Principal authenticate(Credentials credentials) {
        if (!clock.instant().isBefore(nextCheck)) {
            synchronized (this) {
                // the requests that waited for the lock find the file read already
                if (!clock.instant().isBefore(nextCheck)) {
                    reloadIfChanged();
                }
            }
        }
        return keys.authenticate(credentials);
    }

    /** Reads the file again if its content changed; returns true if new keys are in force. */
    synchronized boolean reloadIfChanged() {
        nextCheck = clock.instant().plus(CHECK_PERIOD);
        try {
            if (loaded == null && !Files.exists(file)) {
                return false;
            }
            byte[] content = Files.readAllBytes(file);
            if (Arrays.equals(content, loaded)) {
                return false;
            }
            loaded = content;
            keys = parse(content);
            LOG.info("API keys read again from {}: {} in force", file, keys.size());
            return true;
        } catch (IOException | IllegalArgumentException e) {
            LOG.error("twingress.auth.apikeysFile {} refused, the keys before stay in force: {}", file,
                    e.getMessage());
            // each is said once: a broken content is remembered (loaded above) and not parsed again; a file that
            // cannot be read is looked for quietly until it is back
            if (e instanceof IOException) {
                loaded = null;
            }
            return false;
        }
    }

    private ApiKeyAuthenticator parse(byte[] content) {
        ApiKeyAuthenticator parsed = ApiKeyAuthenticator.parse(inline + "\n" + Json.utf8(content));
        if (parsed.size() == 0) {
            throw new IllegalArgumentException("no API key is configured in twingress.auth.apikeys or the file");
        }
        return parsed;
    }
}
