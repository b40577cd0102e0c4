package io.twingress.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import io.twingress.AdtError;
import io.twingress.AdtException;
import io.twingress.Json;

/** Request and response plumbing every ADT handler shares: api-version, JSON bodies, paging, replies. */
public final class ApiSupport {

    /** Stable and preview versions of ADT's data plane that clients send. */
    private static final Set<String> API_VERSIONS = Set.of("2020-10-31", "2022-05-31", "2023-06-30", "2023-10-31",
            "2020-05-31-preview", "2021-06-30-preview", "2023-02-27-preview", "2023-07-31-preview");

    private ApiSupport() {
    }

    /** Every ADT call names its api-version as a query parameter; an unknown one is refused before anything happens. */
    public static void requireApiVersion(Exchange exchange) {
        String version = ApiRequest.of(exchange).query("api-version");
        if (version == null || version.isEmpty()) {
            throw AdtError.MISSING_API_VERSION.with("The api-version query parameter is required, e.g."
                    + " api-version=2023-10-31.");
        }
        if (!API_VERSIONS.contains(version)) {
            throw AdtError.INVALID_API_VERSION.with("The api-version '" + version + "' is not supported. Supported"
                    + " versions: " + String.join(", ", API_VERSIONS.stream().sorted().toList()) + ".");
        }
    }

    public static JsonNode body(Exchange exchange) {
        JsonNode body = optionalBody(exchange);
        if (body == null) {
            throw AdtError.INVALID_ARGUMENT.with("The request needs a JSON body.");
        }
        return body;
    }

    /**
     * The body as text. A stream is read whole and kept as the body: Camel's stream-to-string conversion allocates
     * a reader and two 8 KiB buffers per request, which a few hundred bytes of JSON do not need.
     */
    private static String bodyText(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (body == null || body instanceof String) {
            return (String) body;
        }
        byte[] bytes;
        if (body instanceof InputStream in) {
            try (in) {
                bytes = readWhole(in);
            } catch (IOException e) {
                throw AdtError.INVALID_ARGUMENT.with("The request body could not be read: " + e.getMessage());
            }
        } else {
            bytes = exchange.getMessage().getBody(byte[].class);
            if (bytes == null) {
                return exchange.getMessage().getBody(String.class);
            }
        }
        String text;
        try {
            text = Json.utf8(bytes);
        } catch (IllegalArgumentException e) {
            throw AdtError.INVALID_ARGUMENT.with("The request body is not valid UTF-8, which JSON must be.");
        }
        exchange.getMessage().setBody(text);
        return text;
    }

    /**
     * A stream's bytes, in one array of the size it says is available when that is all there is (a request body
     * arrives whole): {@code readAllBytes} starts every read with an 8 KiB array, which was 6% of the server's CPU
     * samples in a PATCH benchmark.
     */
    static byte[] readWhole(InputStream in) throws IOException {
        byte[] head = in.readNBytes(Math.max(0, in.available()));
        int next = in.read();
        if (next < 0) {
            return head;
        }
        ByteArrayOutputStream rest = new ByteArrayOutputStream(head.length + 1024);
        rest.write(head);
        rest.write(next);
        in.transferTo(rest);
        return rest.toByteArray();
    }

    /**
     * Refuses a body sent as a form ({@code curl -d}'s default type): the HTTP server has already decoded it into
     * form fields, so what was sent is gone, and the request cannot be applied or kept as it came.
     */
    public static void refuseForm(Exchange exchange) {
        String contentType = ApiRequest.of(exchange).header(Exchange.CONTENT_TYPE);
        if (isForm(contentType)) {
            throw AdtError.INVALID_ARGUMENT.with(formRefused(contentType));
        }
    }

    /** True for the content types an HTTP server decodes as forms. */
    public static boolean isForm(String contentType) {
        String type = contentType == null ? "" : contentType.strip().toLowerCase(Locale.ROOT);
        return type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data");
    }

    /** Why a form is refused. */
    public static String formRefused(String contentType) {
        return "The body must be sent with Content-Type: application/json (or another type that is not a form), not "
                + contentType + ".";
    }

    /**
     * The dead-letter operation a POST to {@code <parent>/<action>} names: {@code deadletters:replay} or
     * {@code deadletters:purge}. A POST to the list itself ({@code <parent>/deadletters}) gets 405 with
     * {@code Allow: GET}; anything else 404.
     */
    public static String deadLetterAction(String parent, String action) {
        if (isDeadLetterAction(action)) {
            return action;
        }
        if (action.equals("deadletters")) {
            throw new AdtException(AdtError.METHOD_NOT_ALLOWED, "POST is not supported on " + parent
                    + "deadletters: read it with GET; replay or purge with POST " + parent + "deadletters:replay or"
                    + " :purge.", Map.of("Allow", "GET"));
        }
        throw AdtError.NOT_FOUND.with("There is no operation POST " + parent + action
                + (action.startsWith("deadletters") ? "; use deadletters:replay or deadletters:purge." : "."));
    }

    /** Whether a path's last segment names a dead-letter operation: {@code deadletters:replay} or {@code :purge}. */
    public static boolean isDeadLetterAction(String segment) {
        return segment.equals("deadletters:replay") || segment.equals("deadletters:purge");
    }

    /**
     * The ids a dead-letter action (replay, purge) names: null (all of them) for no body or {@code {}}, else the array
     * of {@code {"<key>": [...]}} exactly, at most {@code max} long. Anything else is refused, not read as "all": a
     * misspelled key must not act on every letter, nor may the ids given as query parameters.
     */
    public static JsonNode actionIds(Exchange exchange, String key, int max) {
        for (String name : ApiRequest.of(exchange).queryParameters().keySet()) {
            if (!name.equals("api-version")) {
                throw AdtError.INVALID_ARGUMENT.with("This operation takes no query parameter but api-version, not "
                        + name + ": name the dead letters in the body, {\"" + key + "\": [...]}, or send none for"
                        + " all of them.");
            }
        }
        JsonNode body = optionalBody(exchange);
        if (body == null || body.isObject() && body.isEmpty()) {
            return null;
        }
        JsonNode ids = body.get(key);
        if (!body.isObject() || body.size() != 1 || ids == null || !ids.isArray() || ids.size() > max) {
            throw AdtError.INVALID_ARGUMENT.with("The body must be {\"" + key + "\": [...]} with at most " + max
                    + " dead letter ids, or empty for all of them.");
        }
        return ids;
    }

    /** The JSON body, or null if the request has none. */
    public static JsonNode optionalBody(Exchange exchange) {
        refuseForm(exchange);
        String text = bodyText(exchange);
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Json.parseSent(text);
        } catch (IllegalArgumentException e) {
            throw AdtError.INVALID_ARGUMENT.with("The request body is not valid JSON: " + e.getMessage());
        }
    }

    /** The page size the client asked for with {@code max-items-per-page}, capped at {@code max}. */
    public static int pageSize(Exchange exchange, int max) {
        String asked = ApiRequest.of(exchange).header("max-items-per-page");
        if (asked == null) {
            return max;
        }
        String digits = asked.strip();
        if (!digits.matches("0*[1-9][0-9]*")) {
            throw AdtError.INVALID_ARGUMENT.with("max-items-per-page must be a positive integer.");
        }
        // any size beyond the page limit is the limit, also one beyond an int
        String significant = digits.replaceFirst("^0+", "");
        return significant.length() > 9 ? max : Math.min(Integer.parseInt(significant), max);
    }

    /**
     * The first line of every continuation token a list issues: this tag and the path of the list, so that a token is
     * taken only by a list at that path (its filters are not in it).
     */
    private static final String TOKEN_TAG = "twingress-page ";
    /** The first line of tokens issued before they named their list; taken by any list until they are gone. */
    private static final String EARLIER_TOKEN_TAG = "twingress-page";

    /** A continuation token for the list this request reads, holding where its next page starts. */
    public static String encodeToken(Exchange exchange, String... parts) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((TOKEN_TAG + ApiRequest.of(exchange).path()
                + "\n" + String.join("\n", parts)).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The parts of a continuation token this server issued for the list this request reads; anything else is
     * refused, including a token a client made up that happens to decode (a list keyed by name would otherwise
     * answer it with an empty page) and another list's token.
     */
    public static String[] decodeToken(Exchange exchange, String token, int parts) {
        try {
            String[] decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8)
                    .split("\n", -1);
            if (decoded.length == parts + 1 && (decoded[0].equals(TOKEN_TAG + ApiRequest.of(exchange).path())
                    || decoded[0].equals(EARLIER_TOKEN_TAG))) {
                return Arrays.copyOfRange(decoded, 1, decoded.length);
            }
        } catch (IllegalArgumentException e) {
            // falls through to the refusal below
        }
        throw notIssued();
    }

    /** The parts of the request's {@code continuationToken} query parameter ({@link #decodeToken}), or null. */
    public static String[] continuation(Exchange exchange, int parts) {
        String token = ApiRequest.of(exchange).query("continuationToken");
        return token == null ? null : decodeToken(exchange, token, parts);
    }

    /** A token's part that is a row id or an offset: a whole number, not negative. */
    public static long tokenNumber(String part) {
        try {
            long number = Long.parseLong(part);
            if (number >= 0) {
                return number;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw notIssued();
    }

    private static AdtException notIssued() {
        return AdtError.INVALID_ARGUMENT.with("The continuationToken is not one this server issued.");
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

    /**
     * The link to the next page: this request again with the token. The scheme and host are the configured public
     * base URL's, else the request's own; a forwarded header is not trusted, since any client can send one.
     */
    private static String nextLink(Exchange exchange, String token) {
        ApiRequest request = ApiRequest.of(exchange);
        String base = exchange.getContext().getPropertiesComponent().resolveProperty("twingress.api.publicBaseUrl")
                .filter(b -> !b.isBlank()).orElseGet(() -> requestBase(exchange));
        StringBuilder link = new StringBuilder(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        for (String segment : request.segments()) {
            link.append('/').append(encode(segment));
        }
        char separator = '?';
        for (Map.Entry<String, List<String>> parameter : request.queryParameters().entrySet()) {
            if (parameter.getKey().equals("continuationToken")) {
                continue;
            }
            for (String value : parameter.getValue()) {
                link.append(separator).append(encode(parameter.getKey())).append('=').append(encode(value));
                separator = '&';
            }
        }
        return link.append(separator).append("continuationToken=").append(encode(token)).toString();
    }

    private static String requestBase(Exchange exchange) {
        URI url;
        try {
            url = URI.create(exchange.getMessage().getHeader(Exchange.HTTP_URL, String.class));
        } catch (RuntimeException e) {
            throw AdtError.BAD_REQUEST.with("The request's Host is not a valid host name.");
        }
        if (url.getScheme() == null || url.getHost() == null) {
            throw AdtError.BAD_REQUEST.with("The request's Host is not a valid host name.");
        }
        return url.getScheme() + "://" + url.getRawAuthority();
    }

    /** Percent-encodes a path segment or query part; a space becomes %20, which both read back as a space. */
    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
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
