package io.twingress.auth;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Makes API keys for {@code twingress.auth.apikeys}:
 * <pre>
 * java -cp 'routes/target/lib/*' io.twingress.auth.ApiKeyTool new gateway Ingest
 * java -cp 'routes/target/lib/*' io.twingress.auth.ApiKeyTool hash &lt; key.txt
 * </pre>
 * {@code new} prints a random key (give it to the client) and the configuration entry (give it to Twingress);
 * {@code hash} prints the SHA-256 of a key read from standard input, so the key stays out of the shell history.
 */
public final class ApiKeyTool {

    private ApiKeyTool() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("new")) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String key = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            String name = args.length >= 2 ? args[1] : "client";
            String roles = args.length >= 3 ? args[2] : "DataReader";
            System.out.println("key (give it to the client):        " + key);
            System.out.println("entry (add it to twingress.auth.apikeys): " + name + ":" + ApiKeyAuthenticator.hash(key)
                    + ":" + roles);
        } else if (args.length == 1 && args[0].equals("hash")) {
            String key = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (key == null || key.strip().length() < ApiKeyAuthenticator.MIN_KEY_LENGTH) {
                System.err.println("give a key of at least " + ApiKeyAuthenticator.MIN_KEY_LENGTH
                        + " characters on standard input");
                System.exit(2);
            }
            System.out.println(ApiKeyAuthenticator.hash(key.strip()));
        } else {
            System.err.println("usage: ApiKeyTool new [name] [Role,Role] | ApiKeyTool hash < keyfile");
            System.exit(2);
        }
    }
}
