package io.twingress.api;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import io.twingress.AdtError;
import io.twingress.Json;

/** Request and response plumbing every ADT handler shares: api-version, JSON bodies, paging, replies. */
public final class ApiSupport {

    /** Stable and preview versions of ADT's data plane that clients send. */
    public static final Set<String> API_VERSIONS = Set.of("2020-10-31", "2022-05-31", "2023-06-30", "2023-10-31",
            "2020-05-31-preview", "2021-06-30-preview", "2023-02-27-preview", "2023-07-31-preview");

    private ApiSupport() {
    }

    /** Every ADT call names its api-version; an unknown one is refused before anything happens. */
    public static void requireApiVersion(Exchange exchange) {
        String version = exchange.getMessage().getHeader("api-version", String.class);
        if (version == null || version.isEmpty()) {
            throw AdtError.MISSING_API_VERSION.with("The api-version query parameter is required, e.g. api-version=2023-10-31.");
        }
        if (!API_VERSIONS.contains(version)) {
            throw AdtError.INVALID_API_VERSION.with("The api-version '" + version
                    + "' is not supported. Supported versions: " + String.join(", ", API_VERSIONS.stream().sorted()
                            .toList()) + ".");
        }
    }

    public static String header(Exchange exchange, String name) {
        Object value = exchange.getMessage().getHeader(name);
        if (value instanceof Collection<?> many) {
            value = many.isEmpty() ? null : many.iterator().next();
        }
        return value == null ? null : value.toString();
    }

    /**
     * A query parameter that may repeat ({@code ?dependenciesFor=a&dependenciesFor=b}), read from the raw query:
     * the server's own parsing also splits on ';', which every versioned DTMI contains.
     */
    public static List<String> queryParameters(Exchange exchange, String name) {
        String raw = exchange.getMessage().getHeader(Exchange.HTTP_RAW_QUERY, String.class);
        List<String> values = new ArrayList<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
                    values.add(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }

    public static JsonNode body(Exchange exchange) {
        String contentType = header(exchange, Exchange.CONTENT_TYPE);
        if (contentType != null && contentType.startsWith("application/x-www-form-urlencoded")) {
            // the HTTP server has already decoded such a body as a form, so the JSON in it is gone
            throw AdtError.INVALID_ARGUMENT.with("The body must be JSON sent with Content-Type:"
                    + " application/json, not " + contentType + ".");
        }
        String text = exchange.getMessage().getBody(String.class);
        if (text == null || text.isBlank()) {
            throw AdtError.INVALID_ARGUMENT.with("The request needs a JSON body.");
        }
        try {
            return Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw AdtError.INVALID_ARGUMENT.with("The request body is not valid JSON: " + e.getMessage());
        }
    }

    /** The page size the client asked for with {@code max-items-per-page}, capped at {@code max}. */
    public static int pageSize(Exchange exchange, int max) {
        String asked = header(exchange, "max-items-per-page");
        if (asked == null) {
            return max;
        }
        try {
            int size = Integer.parseInt(asked.trim());
            if (size < 1) {
                throw new NumberFormatException();
            }
            return Math.min(size, max);
        } catch (NumberFormatException e) {
            throw AdtError.INVALID_ARGUMENT.with("max-items-per-page must be a positive integer.");
        }
    }

    public static String encodeToken(String... parts) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(String.join("\n", parts).getBytes(StandardCharsets.UTF_8));
    }

    /** The parts of a continuation token this server issued; anything else is refused. */
    public static String[] decodeToken(String token, int parts) {
        try {
            String[] decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8)
                    .split("\n", -1);
            if (decoded.length == parts) {
                return decoded;
            }
        } catch (IllegalArgumentException e) {
            // falls through to the refusal below
        }
        throw AdtError.INVALID_ARGUMENT.with("The continuationToken is not one this server issued.");
    }

    /**
     * Replies with {@code {value, nextLink}}. The next link repeats the request with a continuation token, so a
     * client only has to follow it.
     */
    public static void page(Exchange exchange, List<? extends JsonNode> items, String nextToken) {
        ObjectNode page = Json.object();
        ArrayNode value = page.putArray("value");
        items.forEach(value::add);
        if (nextToken != null) {
            page.put("nextLink", nextLink(exchange, nextToken));
        } else {
            page.putNull("nextLink");
        }
        reply(exchange, 200, page, Map.of());
    }

    private static String nextLink(Exchange exchange, String token) {
        Message in = exchange.getMessage();
        // the absolute request URL, as the server received it: scheme, authority and path of this listing
        URI url = URI.create(in.getHeader(Exchange.HTTP_URL, String.class));
        String scheme = header(exchange, "X-Forwarded-Proto");
        StringBuilder query = new StringBuilder();
        String raw = in.getHeader(Exchange.HTTP_RAW_QUERY, String.class);
        if (raw != null) {
            for (String pair : raw.split("&")) {
                if (!pair.isEmpty() && !pair.startsWith("continuationToken=")) {
                    query.append(pair).append('&');
                }
            }
        }
        query.append("continuationToken=").append(token);
        return (scheme == null ? url.getScheme() : scheme) + "://" + url.getRawAuthority() + url.getRawPath() + "?"
                + query;
    }

    /**
     * Sends the reply. Request headers are dropped first: platform-http would otherwise echo them (If-Match,
     * Authorization, ...) back as response headers.
     */
    public static void reply(Exchange exchange, int status, JsonNode body, Map<String, String> headers) {
        Message out = exchange.getMessage();
        out.getHeaders().clear();
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        headers.forEach(out::setHeader);
        if (body == null) {
            out.setBody(null);
        } else {
            out.setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
            out.setBody(Json.write(body));
        }
    }

    public static void noContent(Exchange exchange, Map<String, String> headers) {
        reply(exchange, 204, null, headers);
    }
}
