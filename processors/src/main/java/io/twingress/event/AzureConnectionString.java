package io.twingress.event;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The parts of an Event Hubs or Service Bus connection string
 * ({@code Endpoint=sb://<namespace host>/;SharedAccessKeyName=...;SharedAccessKey=...[;EntityPath=...]}) that
 * Twingress needs besides the secret itself. Keys match ignoring case, as the Azure SDKs read them; other keys (such
 * as {@code UseDevelopmentEmulator}) pass. No error says what the text was: the whole string is a secret.
 *
 * @param host       the namespace host, e.g. {@code ns.servicebus.windows.net}
 * @param entityPath the event hub, queue or topic, or null when the string has none
 */
record AzureConnectionString(String host, String entityPath) {

    /** @param kind e.g. "an Event Hubs", "a Service Bus" */
    static AzureConnectionString parse(String field, String kind, Secret secret) {
        String form = field + " is not " + kind + " connection string: it needs Endpoint=sb://<namespace host>/;"
                + "SharedAccessKeyName=<key name>;SharedAccessKey=<key>, and may add ;EntityPath=<name>";
        Map<String, String> parts = new HashMap<>();
        for (String segment : secret.reveal().split(";")) {
            if (segment.isBlank()) {
                continue;
            }
            int eq = segment.indexOf('=');
            if (eq <= 0) {
                throw Props.invalid(form + " (every part is Key=Value, separated by ';')");
            }
            String key = segment.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            if (parts.put(key, segment.substring(eq + 1).trim()) != null) {
                throw Props.invalid(form + " (a key appears twice)");
            }
        }
        for (String required : new String[] {"Endpoint", "SharedAccessKeyName", "SharedAccessKey"}) {
            String value = parts.get(required.toLowerCase(Locale.ROOT));
            if (value == null || value.isEmpty()) {
                throw Props.invalid(form + " (" + required + " is missing)");
            }
        }
        String host = host(parts.get("endpoint"));
        if (host == null) {
            throw Props.invalid(form + " (Endpoint is not an sb:// URI with a host)");
        }
        String entityPath = parts.get("entitypath");
        if (entityPath != null && entityPath.isEmpty()) {
            throw Props.invalid(form + " (EntityPath is empty)");
        }
        return new AzureConnectionString(host, entityPath);
    }

    /** The host of an {@code sb://host[/]} URI, lower-cased, or null if it is not one. */
    static String host(String text) {
        try {
            URI uri = new URI(text);
            if (!"sb".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getRawUserInfo() != null
                    || uri.getPort() != -1 || uri.getRawQuery() != null || uri.getRawFragment() != null
                    || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))) {
                return null;
            }
            return uri.getHost().toLowerCase(Locale.ROOT);
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
