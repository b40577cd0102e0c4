package io.twingress.routes;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.impl.VertxInternal;

import io.twingress.AdtError;
import io.twingress.api.ApiErrors;

/**
 * Limits what a connection can hold on the HTTP servers. Camel's servers create their Vert.x HTTP server with
 * default options (no idle timeout), so a client that opens connections and never finishes a request holds them
 * forever. Camel looks the Vert.x instance up in the registry; this binds one whose {@code createHttpServer} adds an
 * idle timeout and answers 400 to a Host header the router would otherwise fail on, unanswered.
 */
final class HttpGuard {

    /** A host name, IPv4 or bracketed IPv6 address, and an optional port. */
    private static final Pattern AUTHORITY = Pattern.compile("([A-Za-z0-9._~-]+|\\[[0-9A-Fa-f:.]+])(:[0-9]{1,5})?");

    private final Vertx vertx;
    private final int idleTimeoutSeconds;

    HttpGuard(int idleTimeoutSeconds) {
        this.vertx = Vertx.vertx();
        this.idleTimeoutSeconds = idleTimeoutSeconds;
    }

    /** The Vert.x instance to bind: the real one, whose HTTP servers get the limits. */
    Vertx guardedVertx() {
        InvocationHandler handler = (proxy, method, args) -> {
            try {
                if (method.getName().equals("createHttpServer") && args != null && args.length == 1
                        && args[0] instanceof HttpServerOptions options) {
                    return guard(vertx.createHttpServer(options.setIdleTimeout(idleTimeoutSeconds)
                            .setIdleTimeoutUnit(TimeUnit.SECONDS)));
                }
                return method.invoke(vertx, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Vertx) Proxy.newProxyInstance(HttpGuard.class.getClassLoader(), new Class<?>[] {VertxInternal.class},
                handler);
    }

    private HttpServer guard(HttpServer server) {
        // the request handler is the router; a Host header it cannot parse fails it on the event loop, unanswered
        InvocationHandler handler = (proxy, method, args) -> {
            try {
                if (method.getName().equals("requestHandler") && args != null && args.length == 1) {
                    @SuppressWarnings("unchecked")
                    Handler<HttpServerRequest> next = (Handler<HttpServerRequest>) args[0];
                    server.requestHandler(request -> checkHost(request, next));
                    return proxy;
                }
                Object result = method.invoke(server, args);
                return result == server ? proxy : result;
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (HttpServer) Proxy.newProxyInstance(HttpGuard.class.getClassLoader(), new Class<?>[] {HttpServer.class},
                handler);
    }

    private static void checkHost(HttpServerRequest request, Handler<HttpServerRequest> next) {
        String host = request.getHeader("Host");
        if (host == null || AUTHORITY.matcher(host).matches()) {
            next.handle(request);
            return;
        }
        request.response().setStatusCode(400).putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader("x-ms-error-code", AdtError.BAD_REQUEST.code())
                .end(ApiErrors.body(AdtError.BAD_REQUEST.with("The Host header is not a host name and port.")));
    }

    void close() {
        vertx.close();
    }
}
