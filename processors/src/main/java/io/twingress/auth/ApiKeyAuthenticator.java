package io.twingress.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * API keys for services and devices. Only each key's SHA-256 is configured, so the configuration holds no secret a
 * reader could use; a presented key is hashed and compared with every configured hash in constant time.
 * <p>
 * Configuration: entries separated by {@code ;} or new lines, each {@code name:sha256-hex:Role,Role}, e.g.
 * {@code gateway:9f86d08...:Ingest; ops:60303ae...:Operator,DataReader}. Keys are random text of at least
 * {@value #MIN_KEY_LENGTH} characters ({@link ApiKeyTool} makes one and prints its hash), so an unsalted hash is
 * as strong as the key.
 */
public final class ApiKeyAuthenticator implements Authenticator {

    public static final int MIN_KEY_LENGTH = 20;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    private record Entry(String name, byte[] hash, Set<Role> roles) {
    }

    private final List<Entry> entries;

    private ApiKeyAuthenticator(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * The keys of a configuration text (see the class comment).
     *
     * @throws IllegalArgumentException naming the entry and what is wrong with it
     */
    public static ApiKeyAuthenticator parse(String configuration) {
        List<Entry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Map<String, String> nameOfHash = new HashMap<>();
        for (String raw : configuration.split("[;\\r\\n]+")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split(":", -1);
            if (parts.length != 3) {
                throw new IllegalArgumentException("An API key entry must be name:sha256-hex:Role,Role, not '"
                        + (parts.length > 0 ? parts[0].strip() : "") + ":...'.");
            }
            String name = parts[0].strip();
            String hash = parts[1].strip();
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("The API key name '" + name + "' must be 1 to 64 letters, digits,"
                        + " '.', '_' or '-'.");
            }
            if (!names.add(name)) {
                throw new IllegalArgumentException("The API key name '" + name + "' is configured twice.");
            }
            if (!SHA256.matcher(hash).matches()) {
                throw new IllegalArgumentException("The API key '" + name + "' must give the key's SHA-256 as 64 hex"
                        + " digits (print it with io.twingress.auth.ApiKeyTool), not the key itself.");
            }
            String sameKey = nameOfHash.putIfAbsent(hash.toLowerCase(Locale.ROOT), name);
            if (sameKey != null) {
                throw new IllegalArgumentException("The API keys '" + sameKey + "' and '" + name + "' are the same"
                        + " key: which roles it has would depend on the order; give each caller a key of its own.");
            }
            Set<Role> roles = EnumSet.noneOf(Role.class);
            for (String roleName : parts[2].split(",")) {
                if (roleName.isBlank()) {
                    continue;
                }
                roles.add(Role.named(roleName.strip()).orElseThrow(() -> new IllegalArgumentException("The API key '"
                        + name + "' names an unknown role '" + roleName.strip() + "'; roles are DataOwner,"
                        + " DataReader, Ingest and Operator.")));
            }
            if (roles.isEmpty()) {
                throw new IllegalArgumentException("The API key '" + name + "' has no roles.");
            }
            entries.add(new Entry(name, HexFormat.of().parseHex(hash.toLowerCase()), roles));
        }
        return new ApiKeyAuthenticator(entries);
    }

    /** How many keys are configured. */
    public int size() {
        return entries.size();
    }

    @Override
    public Principal authenticate(Credentials credentials) {
        String key = credentials.apiKey() != null ? credentials.apiKey().strip() : credentials.bearer();
        if (key == null || key.isEmpty()) {
            throw new AuthenticationException("The request has no API key: send it as 'Authorization: Bearer <key>'"
                    + " or in the API-key header.", true);
        }
        byte[] presented = sha256(key);
        Entry match = null;
        for (Entry entry : entries) {
            // every entry is compared, each in constant time, so the time taken tells nothing about the keys
            if (MessageDigest.isEqual(presented, entry.hash()) && match == null) {
                match = entry;
            }
        }
        if (match == null) {
            throw AuthenticationException.invalid("The API key is not valid.");
        }
        return new Principal(match.name(), match.roles(), "apikey");
    }

    /** A key's SHA-256 as 64 lower-case hex digits, the form the configuration takes. */
    public static String hash(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
