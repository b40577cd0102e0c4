package io.twingress.routes;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.impl.TCPServerBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.TimeoutHandler;

import io.twingress.AdtError;
import io.twingress.AdtException;
import io.twingress.api.ApiAccess;
import io.twingress.api.ApiErrors;
import io.twingress.api.ApiSupport;

/**
 * The HTTP servers' own defences and replies. Camel creates its Vert.x HTTP servers with default options and looks
 * the Vert.x instance up in the registry; this binds one whose {@code createHttpServer} makes servers that
 * <ul>
 * <li>close a connection that has not sent a complete request within a deadline of opening, or that is idle, and
 * answer 408 to a request (body included) that takes longer than its time limit;</li>
 * <li>hold at most so many connections per client address;</li>
 * <li>answer what never reaches a route in ADT's error body: a request line or headers too long (414, 431), a
 * malformed request or {@code Host} (400; a {@code Host} Vert.x cannot parse would otherwise fail on the event loop,
 * unanswered), an unknown path (404), a method a path does not take (405, with {@code Allow} on the API's port), a
 * body over the limit (413).</li>
 * </ul>
 * Clear-text HTTP/2 upgrade detection is off: it waits for the first 24 bytes before a connection exists, which a
 * client that trickles its request line never sends. HTTP/2 over TLS (ALPN) is unaffected.
 */
final class HttpGuard {

    /** A host name, IPv4 or bracketed IPv6 address, and an optional port. */
    private static final Pattern AUTHORITY = Pattern.compile("([A-Za-z0-9._~-]+|\\[[0-9A-Fa-f:.]+])(:[0-9]{1,5})?");

    private final Vertx vertx = Vertx.vertx();
    private final int idleTimeoutSeconds;
    private final long firstRequestMillis;
    private final long requestMillis;
    private final int maxConnectionsPerClient;
    private final Map<String, Integer> connections = new ConcurrentHashMap<>();
    /** Connections that have sent a complete request, so are past the first-request deadline. */
    private final Map<HttpConnection, Boolean> started = new ConcurrentHashMap<>();
    /** The servers made, to ask which are listening (platform-http logs a failed bind and carries on). */
    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    /** The API's port and the methods each of its path templates takes; none until the API's routes exist. */
    private volatile ApiOperations api = new ApiOperations(-1, Map.of());
    /** What admits a request on the API's port before its body is read; none until the API's routes exist. */
    private volatile Admission admission;

    private record Admission(int port, ApiAccess access, String publicPath) {
    }

    private record ApiOperations(int port, Map<String, Set<String>> methodsByTemplate) {
    }

    HttpGuard(int idleTimeoutSeconds, long firstRequestMillis, long requestMillis, int maxConnectionsPerClient) {
        this.idleTimeoutSeconds = idleTimeoutSeconds;
        this.firstRequestMillis = firstRequestMillis;
        this.requestMillis = requestMillis;
        this.maxConnectionsPerClient = maxConnectionsPerClient;
    }

    /** The Vert.x instance to bind: the real one, whose HTTP servers get the limits; closing it closes the real one. */
    Vertx guardedVertx() {
        return proxy(Vertx.class, VertxInternal.class, vertx, (method, args) -> {
            if (method.equals("createHttpServer") && args != null && args.length == 1
                    && args[0] instanceof HttpServerOptions options) {
                return guard(vertx.createHttpServer(options.setIdleTimeout(idleTimeoutSeconds)
                        .setIdleTimeoutUnit(TimeUnit.SECONDS).setHttp2ClearTextEnabled(false)));
            }
            return null;
        });
    }

    private HttpServer guard(HttpServer server) {
        servers.add(server);
        server.connectionHandler(this::opened);
        server.invalidRequestHandler(HttpGuard::invalid);
        return proxy(HttpServer.class, HttpServer.class, server, (method, args) -> {
            if (method.equals("requestHandler") && args != null && args.length == 1) {
                @SuppressWarnings("unchecked")
                Handler<HttpServerRequest> next = (Handler<HttpServerRequest>) args[0];
                if (next instanceof Router router) {
                    // first on the router: the clock runs while the body is read, so a slow sender is cut off too
                    router.route().order(Integer.MIN_VALUE).handler(TimeoutHandler.create(requestMillis, 408));
                    replyInAdtShape(router);
                    router.errorHandler(405, this::methodNotAllowed);
                }
                server.requestHandler(request -> request(request, next));
                return Boolean.TRUE;
            }
            return null;
        });
    }

    private void opened(HttpConnection connection) {
        String client = connection.remoteAddress() == null ? "" : connection.remoteAddress().hostAddress();
        int count = connections.merge(client, 1, Integer::sum);
        connection.closeHandler(v -> {
            started.remove(connection);
            // the last close removes the client's entry, in the same atomic step as the count
            connections.computeIfPresent(client, (c, n) -> n == 1 ? null : n - 1);
        });
        if (count > maxConnectionsPerClient) {
            connection.close();
            return;
        }
        vertx.setTimer(firstRequestMillis, t -> {
            if (!started.containsKey(connection)) {
                connection.close();
            }
        });
    }

    private void request(HttpServerRequest request, Handler<HttpServerRequest> next) {
        started.put(request.connection(), Boolean.TRUE);
        String host = request.getHeader("Host");
        if (host != null && !AUTHORITY.matcher(host).matches()) {
            reply(request.response(), AdtError.BAD_REQUEST, "The Host header is not a host name and port.");
            return;
        }
        Admission gate = admission;
        if (gate != null && request.localAddress() != null && request.localAddress().port() == gate.port()) {
            // the rate and the presence of a credential, before the body is read or a form is looked at
            AdtException refused = gate.access().admit(request.remoteAddress() == null ? "unknown"
                    : request.remoteAddress().hostAddress(), !request.path().equals(gate.publicPath()),
                    request::getHeader);
            if (refused != null) {
                HttpServerResponse response = request.response();
                if (request.getHeader("Content-Length") != null && !request.getHeader("Content-Length").equals("0")
                        || request.getHeader("Transfer-Encoding") != null) {
                    // the body is not read: the connection cannot carry another request
                    response.putHeader("Connection", "close");
                }
                refused.headers().forEach(response::putHeader);
                reply(response, refused.error(), refused.getMessage());
                return;
            }
        }
        String type = request.getHeader("Content-Type");
        if (ApiSupport.isForm(type)) {
            // nothing here takes a form; decoded, its fields would become the exchange's headers (and a GET's
            // decoding fails with a bare 500), and what was sent would be gone
            reply(request.response().putHeader("Connection", "close"), AdtError.INVALID_ARGUMENT,
                    ApiSupport.formRefused(type));
            return;
        }
        String encoding = request.getHeader("Content-Encoding");
        if (encoding != null && !encoding.isBlank() && !encoding.strip().equalsIgnoreCase("identity")) {
            // read as it is, a compressed body fails as "not JSON", or is kept compressed in a dead letter
            reply(request.response().putHeader("Connection", "close"), AdtError.UNSUPPORTED_MEDIA_TYPE,
                    "The body is sent with Content-Encoding " + encoding + "; send it uncompressed.");
            return;
        }
        next.handle(request);
    }

    private static void invalid(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        AdtError error = AdtError.BAD_REQUEST;
        String message = "The request is not valid HTTP.";
        if (cause instanceof TooLongFrameException tooLong) {
            boolean line = tooLong.getMessage() != null && tooLong.getMessage().contains("line");
            error = line ? AdtError.URI_TOO_LONG : AdtError.HEADERS_TOO_LARGE;
            message = line ? "The request line is longer than the server accepts."
                    : "The request headers are larger than the server accepts.";
        }
        HttpServerResponse response = request.response().putHeader("Connection", "close");
        reply(response, error, message);
    }

    /** Puts ADT's error body on the replies a router makes itself; Camel's routes live on a sub-router, which needs its own. */
    static void replyInAdtShape(Router router) {
        router.errorHandler(400, ctx -> reply(ctx.response(), AdtError.BAD_REQUEST, "The request is malformed:"
                + " check the URL's percent-encoding (a '%' must start %XX) and the headers."));
        router.errorHandler(404, ctx -> reply(ctx.response(), AdtError.NOT_FOUND, "There is no resource at "
                + ctx.request().path() + "."));
        router.errorHandler(405, ctx -> reply(ctx.response(), AdtError.METHOD_NOT_ALLOWED, ctx.request().method()
                + " is not supported on " + ctx.request().path() + "."));
        router.errorHandler(408, ctx -> reply(ctx.response(), AdtError.REQUEST_TIMEOUT, "The request took longer"
                + " than the server allows; if it changed anything, a read shows it."));
        router.errorHandler(413, ctx -> reply(ctx.response(), AdtError.PAYLOAD_TOO_LARGE, "The request body is"
                + " larger than the server accepts."));
    }

    /**
     * From now on, requests on the API's {@code port} are admitted by {@code access} before their body is read; one
     * for {@code publicPath} (the OpenAPI document) needs no credential.
     */
    void admitWith(int port, ApiAccess access, String publicPath) {
        admission = new Admission(port, access, publicPath);
    }

    /** True if one of the servers made is listening on {@code port}. */
    boolean listening(int port) {
        return servers.stream().anyMatch(s -> s.actualPort() == port
                && (!(s instanceof TCPServerBase tcp) || tcp.isListening()));
    }

    /**
     * The API's operations once its routes exist ({@link ApiStarted}): the methods each REST path template takes, so
     * that a 405 can say which methods a path does take ({@code Allow}).
     */
    void apiOperations(int port, Map<String, Set<String>> methodsByTemplate) {
        api = new ApiOperations(port, Map.copyOf(methodsByTemplate));
    }

    /**
     * A router's 405: the path matched some route's path but not its method. On the API's port it says which methods
     * the path takes ({@code Allow}); a path that only an operation's template took ({@link #allowed}) is not a
     * resource (404). Elsewhere (the management port, a route that is not a REST operation) a plain 405.
     */
    private void methodNotAllowed(RoutingContext ctx) {
        String normalized = ctx.normalizedPath();
        // Vert.x takes /query/ for /query
        String path = normalized.length() > 1 && normalized.endsWith("/")
                ? normalized.substring(0, normalized.length() - 1) : normalized;
        ApiOperations operations = api;
        boolean onApi = ctx.request().localAddress() != null
                && ctx.request().localAddress().port() == operations.port();
        Set<String> allowed = onApi ? allowed(operations.methodsByTemplate(), path, true) : Set.of();
        if (!allowed.isEmpty()) {
            reply(ctx.response().putHeader("Allow", String.join(", ", allowed)), AdtError.METHOD_NOT_ALLOWED,
                    ctx.request().method() + " is not supported on " + path + "; it takes " + String.join(", ",
                            allowed) + ".");
        } else if (onApi && !allowed(operations.methodsByTemplate(), path, false).isEmpty()) {
            reply(ctx.response(), AdtError.NOT_FOUND, "There is no resource at " + path + ".");
        } else {
            reply(ctx.response(), AdtError.METHOD_NOT_ALLOWED, ctx.request().method() + " is not supported on "
                    + path + ".");
        }
    }

    /**
     * The methods the REST path templates take on {@code path}, matched segment by segment ({@code {name}} stands for
     * any one segment). With {@code operations}, a template's last segment {@code {action}} stands for an operation
     * on a resource, {@code <resource>:<verb>} such as {@code deadletters:replay}, and matches only a segment with a
     * colon: the POST-only {@code /ingress/{action}} does not make {@code /ingress/x} a resource.
     */
    static Set<String> allowed(Map<String, Set<String>> methodsByTemplate, String path, boolean operations) {
        String[] segments = path.split("/", -1);
        Set<String> methods = new TreeSet<>();
        methodsByTemplate.forEach((template, templateMethods) -> {
            String[] parts = template.split("/", -1);
            boolean matches = parts.length == segments.length;
            for (int i = 0; matches && i < parts.length; i++) {
                if (parts[i].startsWith("{")) {
                    matches = !segments[i].isEmpty() && (!operations || i < parts.length - 1
                            || !parts[i].equals("{action}") || ApiSupport.isDeadLetterAction(segments[i]));
                } else {
                    matches = parts[i].equals(segments[i]);
                }
            }
            if (matches) {
                methods.addAll(templateMethods);
            }
        });
        return methods;
    }

    private static void reply(HttpServerResponse response, AdtError error, String message) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(error.status()).putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader("x-ms-error-code", error.code()).end(ApiErrors.body(error.with(message)));
    }

    /** What an intercepted method returns instead of the target's answer; null lets the call through. */
    private interface Intercept {
        Object apply(String method, Object[] args) throws Exception;
    }

    /**
     * A proxy of {@code target} as {@code type} that lets {@code intercept} answer calls; a call it lets through
     * returns the proxy where the target would have returned itself, so fluent chains stay on the proxy.
     * {@code Boolean.TRUE} from the intercept stands for that too.
     */
    private static <T> T proxy(Class<T> type, Class<?> proxied, Object target, Intercept intercept) {
        InvocationHandler handler = (proxy, method, args) -> {
            try {
                Object answer = intercept.apply(method.getName(), args);
                if (answer == Boolean.TRUE) {
                    return proxy;
                }
                if (answer != null) {
                    return answer;
                }
                Object result = method.invoke(target, args);
                return result == target ? proxy : result;
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return type.cast(Proxy.newProxyInstance(HttpGuard.class.getClassLoader(), new Class<?>[] {proxied}, handler));
    }
}
