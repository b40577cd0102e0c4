package io.twingress.api;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.camel.Exchange;

import io.twingress.AdtError;
import io.twingress.Json;

/**
 * One API request as the client sent it, read from the raw request line: path segments from the path alone, query
 * parameters from the query alone, headers only as headers. The HTTP server merges all three into one map of Camel
 * headers, where {@code ?id=victim} or a header {@code id: victim} would override the path's {@code id}; handlers
 * read this instead. Text is decoded as strict UTF-8, so two URLs never name one twin.
 */
public final class ApiRequest {

    /** An exchange property, which no client can set. */
    static final String PROPERTY = "TwingressApiRequest";

    private final Exchange exchange;
    private final List<String> segments;
    private final Map<String, List<String>> query;

    private ApiRequest(Exchange exchange, List<String> segments, Map<String, List<String>> query) {
        this.exchange = exchange;
        this.segments = segments;
        this.query = query;
    }

    /**
     * The request's path in one canonical form: each decoded segment percent-encoded again, so that any two ways of
     * writing one path give the same text, and a '/' or line break inside a segment stays inside it.
     */
    public String path() {
        StringBuilder path = new StringBuilder();
        for (String segment : segments) {
            path.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8));
        }
        return path.length() == 0 ? "/" : path.toString();
    }

    /** The request of this exchange, parsed on first use. */
    public static ApiRequest of(Exchange exchange) {
        ApiRequest request = exchange.getProperty(PROPERTY, ApiRequest.class);
        if (request == null) {
            request = parse(exchange);
            exchange.setProperty(PROPERTY, request);
        }
        return request;
    }

    private static ApiRequest parse(Exchange exchange) {
        String uri = exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class);
        if (uri == null) {
            throw AdtError.BAD_REQUEST.with("The request has no URI.");
        }
        int q = uri.indexOf('?');
        String rawPath = q < 0 ? uri : uri.substring(0, q);
        String rawQuery = q < 0 ? null : uri.substring(q + 1);
        int schemeEnd = rawPath.indexOf("://");
        if (schemeEnd >= 0) {
            // an absolute-form request target: the path starts after the authority
            int slash = rawPath.indexOf('/', schemeEnd + 3);
            rawPath = slash < 0 ? "/" : rawPath.substring(slash);
        }
        List<String> segments = new ArrayList<>();
        String[] raws = rawPath.split("/", -1);
        for (int i = 1; i < raws.length; i++) {
            String segment = decode(raws[i], false, "path");
            // the server routes by the normalized path, where /a/b/../c is /a/c: such a path would be routed by one
            // name and read by another, so it is refused
            if (segment.equals(".") || segment.equals("..") || (segment.isEmpty() && i < raws.length - 1)) {
                throw AdtError.INVALID_ARGUMENT.with("The request path has an empty, '.' or '..' segment; name the"
                        + " resource directly.");
            }
            segments.add(segment);
        }
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq), true, "query");
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1), true, "query");
                query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            }
        }
        return new ApiRequest(exchange, List.copyOf(segments), query);
    }

    /** The path segment at {@code index} (0 is the first after the leading slash), decoded. */
    public String segment(int index) {
        return index < segments.size() ? segments.get(index) : null;
    }

    /** A query parameter's value, or null; given more than once with different values, it is refused. */
    public String query(String name) {
        return single("query parameter", name, queryAll(name));
    }

    /** Every value of a repeatable query parameter. */
    public List<String> queryAll(String name) {
        return query.getOrDefault(name, List.of());
    }

    List<String> segments() {
        return segments;
    }

    /** Every query parameter, in request order, for links that repeat the request. */
    Map<String, List<String>> queryParameters() {
        return query;
    }

    /**
     * An HTTP request header, refused if given more than once with different values. The server also maps query
     * parameters to headers, so a query parameter of the same name is refused rather than let stand in for the header.
     */
    public String header(String name) {
        return single("header", name, headerAll(name));
    }

    /**
     * The one value of a header or query parameter that the request may give once: repeated with the same value it
     * is that value; with different values it is refused, as no one of them is the sender's meaning.
     */
    private static String single(String kind, String name, List<String> values) {
        if (values.isEmpty()) {
            return null;
        }
        String first = values.get(0);
        for (String value : values) {
            if (!value.equals(first)) {
                throw AdtError.INVALID_ARGUMENT.with("The " + kind + " " + name + " is given more than once, with"
                        + " different values: send it once.");
            }
        }
        return first;
    }

    /**
     * The W3C trace context the request carries, or null: sent more than once with different values it is none, as
     * Trace Context has a receiver treat it, and a new trace starts (not a refusal of the request).
     */
    public String traceparent() {
        List<String> values = headerAll("traceparent");
        return values.isEmpty() || values.stream().distinct().count() > 1 ? null : values.get(0);
    }

    /** Every value of an HTTP request header, as {@link #header} refuses a query parameter of its name. */
    public List<String> headerAll(String name) {
        for (String parameter : query.keySet()) {
            if (parameter.equalsIgnoreCase(name)) {
                throw AdtError.INVALID_ARGUMENT.with(name + " is an HTTP header, not a query parameter.");
            }
        }
        Object value = exchange.getMessage().getHeader(name);
        List<String> values = new ArrayList<>();
        if (value instanceof Iterable<?> many) {
            many.forEach(v -> values.add(String.valueOf(v)));
        } else if (value != null) {
            values.add(value.toString());
        }
        return values;
    }

    /** Percent-decoding that refuses what is not valid UTF-8 (lossy decoding would make U+FFFD of it). */
    static String decode(String raw, boolean plusIsSpace, String where) {
        if (raw.indexOf('%') < 0 && !(plusIsSpace && raw.indexOf('+') >= 0)) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0
                        || Character.digit(raw.charAt(i + 2), 16) < 0) {
                    throw malformed(where);
                }
                bytes.write(Character.digit(raw.charAt(i + 1), 16) * 16 + Character.digit(raw.charAt(i + 2), 16));
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                bytes.write(' ');
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        try {
            return Json.utf8(bytes.toByteArray());
        } catch (IllegalArgumentException e) {
            throw malformed(where);
        }
    }

    private static RuntimeException malformed(String where) {
        return AdtError.INVALID_ARGUMENT.with("The request " + where.toLowerCase(Locale.ROOT) + " is not valid"
                + " percent-encoded UTF-8.");
    }
}
